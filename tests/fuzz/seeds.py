"""Real ids for the fuzzing run, so generated requests reach the handlers instead of stopping at 404.

A few seed requests create one resource of each kind that exists (only those whose route is in the
OpenAPI document); then every list route is read and ids are harvested from every answer:

- an answer of `POST P` or an item of `GET P`, where the document also has `P/{name}` or
  `P/{name}/...`, gives its `id` to the path parameter `name` (`POST .../subscriptions` →
  `{subscription_id}`);
- any `<something>_id` key anywhere in an answer gives its value to `<something>_id`.

So a route added later with a new `{thing_id}` gets real ids as soon as a list or a create route
shows them; `missing_path_values` names any path parameter still without one."""
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

DEMO_ACCOUNT = "acc_demo_marcenaria"
OTHER_DEMO_ACCOUNT = "acc_demo_parceiro"  # seeded, owned by demo-owner-2: the fuzzing user is a stranger there
DEMO_OWNER = ("demo-owner-1", "dono@marcenaria.demo")
_PARAM = re.compile(r"{(\w+)}")
ACCOUNT = "/v1/accounts/{account_id}"

# (method, path, body or a function returning it): what the fuzzing run needs to exist.
# `{account_id}` is the demo account.
SEED_REQUESTS = [
    ("POST", "/v1/accounts", {"name": "Conta criada pelo fuzzing"}),
    ("PUT", ACCOUNT + "/card", {"gateway_token": "tok_fuzz_seed", "brand": "visa", "last4": "4242",
                                "exp_month": 12, "exp_year": 2031}),
    ("POST", ACCOUNT + "/subscriptions", {"product_id": "operand-pro", "periodicity": "monthly", "quantity": 2,
                                          "payment_method": "boleto"}),
    ("POST", ACCOUNT + "/subscriptions", {"product_id": "conecta-app", "periodicity": "monthly",
                                          "payment_method": "card"}),
    ("POST", ACCOUNT + "/subscriptions", {"product_id": "conta-azul-mais", "periodicity": "monthly",
                                          "quantity": 3, "payment_method": "boleto"}),  # a partner batch
    ("POST", ACCOUNT + "/members", {"email": "fuzz-admin@example.com", "role": "admin"}),
    ("POST", ACCOUNT + "/requests", {"type": "other", "text": "Solicitação criada pelo fuzzing."}),
    ("POST", ACCOUNT + "/backups", lambda: {"run_at": _tomorrow_at(20)}),
]
# Seeds that need ids the first ones produced (a function of the harvest): run after the lists are read.
# Their other path parameters take the first id harvested (the first subscription seeded above).
SEEDS_AFTER_LISTS = [
    ("POST", "/v1/_dev/gateway/pay", lambda harvest: {"invoice_id": harvest.values["invoice_id"][0], "method": "pix"}),
    ("POST", ACCOUNT + "/subscriptions/{subscription_id}/pix-automatico", lambda harvest: None),
]


def _tomorrow_at(hour: int) -> str:
    brasilia = timezone(timedelta(hours=-3))
    tomorrow = datetime.now(brasilia) + timedelta(days=1)
    return tomorrow.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def path_params(path: str) -> list[str]:
    return _PARAM.findall(path)


def item_params(document: dict) -> dict[str, str]:
    """Collection path → the parameter naming one of its items: `P` → `name` for `P/{name}` and
    `P/{name}/...` (`.../backups` → `backup_id` from `.../backups/{backup_id}/download`)."""
    found = {}
    for path in document["paths"]:
        for match in re.finditer(r"/{(\w+)}", path):
            found.setdefault(path[:match.start()], match[1])
    return found


@dataclass
class Harvest:
    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    answers: list[tuple[str, str, int]] = field(default_factory=list)
    # GET template → the first combination of ids it answered 200 to (a batch subscription's licenses)
    working: dict[str, dict[str, str]] = field(default_factory=dict)

    def ids_for(self, path: str) -> dict[str, str]:
        """Path parameters for an operation: those of the longest listed path it extends, when that
        list answered with other ids than the first known ones."""
        best = {}
        for template in sorted(self.working, key=len):
            if path == template or path.startswith(template + "/"):
                best = self.working[template]
        return {name: value for name, value in best.items() if name in path_params(path)}

    def add(self, name: str, value) -> None:
        if isinstance(value, str) and value and value not in self.values[name]:
            self.values[name].append(value)

    def take(self, document: dict, template: str, body) -> None:
        item_param = item_params(document).get(template)
        if item_param:
            for item in (body.get("items") or [body]) if isinstance(body, dict) else []:
                if isinstance(item, dict):  # its `id`, or a field named as the parameter (a coupon's `code`)
                    self.add(item_param, item.get("id") or item.get(item_param))
        self._walk(body)

    def _walk(self, value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_id") and isinstance(item, str):
                    self.add(key, item)
                else:
                    self._walk(item)
        elif isinstance(value, list):
            for item in value:
                self._walk(item)

    def fill(self, template: str) -> str | None:
        """The path with the first known value of each parameter, or None when one is unknown."""
        paths = self.fills(template)
        return paths[0] if paths else None

    def fills(self, template: str, limit: int = 12) -> list[str]:
        """The path with every combination of known values (at most `limit`), first values first."""
        names = path_params(template)
        if any(not self.values.get(name) for name in names):
            return []
        paths = [template]
        for name in names:
            paths = [path.replace("{" + name + "}", value, 1) for path in paths for value in self.values[name]]
            paths = paths[:limit]
        return paths


def seed(stack, token: str, document: dict) -> Harvest:
    """Create the seed resources on the running stack and harvest ids from every answer."""
    harvest = Harvest()
    harvest.add("account_id", DEMO_ACCOUNT)
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    for method, template, body in SEED_REQUESTS:
        if (template, method) in documented:
            _send_seed(stack, token, document, harvest, method, template, body() if callable(body) else body)
    _read_lists(stack, token, document, harvest)
    for method, template, body in SEEDS_AFTER_LISTS:
        if (template, method) in documented:
            _send_seed(stack, token, document, harvest, method, template, body(harvest))
    _read_lists(stack, token, document, harvest)
    harvest.add("account_id", OTHER_DEMO_ACCOUNT)
    # Jobs by name: the 404 of an unknown job lists the ones that exist.
    if ("/v1/_dev/jobs/{job}", "POST") in documented:
        answer = stack.call("POST", "/v1/_dev/jobs/__unknown__", token)
        for name in (answer.json or {}).get("error", {}).get("details", {}).get("available", []):
            harvest.add("job", name)
    catalog = stack.call("GET", "/v1/catalog", token)
    for product in (catalog.json or {}).get("items", []):
        harvest.add("product_id", product.get("id"))
    return harvest


def _send_seed(stack, token, document, harvest, method, template, body) -> None:
    path = harvest.fill(template)  # `{account_id}`: the demo account, harvested first
    assert path, f"seed {method} {template}: no id harvested yet for {path_params(template)}"
    answer = stack.call(method, path, token, body)
    harvest.answers.append((method, template, answer.status))
    assert answer.status < 300, f"seed {method} {path} answered {answer.status}: {answer.body[:500]!r}"
    harvest.take(document, template, answer.json)


def _read_lists(stack, token, document, harvest) -> None:
    for _ in range(2):  # a list can reveal the parent id another list needs
        for template, operations in sorted(document["paths"].items()):
            if "get" not in operations or "/_dev/" in template:
                continue
            for path in harvest.fills(template):  # e.g. the licenses of the one batch subscription
                answer = stack.call("GET", path, token)
                if answer.status == 200:
                    harvest.take(document, template, answer.json)
                    if template not in harvest.working:
                        values = re.fullmatch(_PARAM.sub(r"([^/]+)", template), path).groups()
                        harvest.working[template] = dict(zip(path_params(template), values))


def missing_path_values(document: dict, harvest: Harvest) -> list[str]:
    names = {name for path in document["paths"] for name in path_params(path)}
    return sorted(name for name in names if not harvest.values.get(name))
