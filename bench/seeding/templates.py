"""Accounts read back as templates to clone: the typical account, or one a job's recipe gave work."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from bench.seeding.cloner import APP_ID, DATED_SHARD, SeedFormatError
from bench.seeding.tables import index_keys, remove_items, snapshot
from bench.world import World, seed_account


@dataclass
class Template:
    """An account read back as items, ready to clone. `work_keys` names the dated index keys a job's
    work recipe set, (table, pk, sk, attribute): clones keep their date; every other dated key moves."""
    items: dict[str, list[dict]]
    tokens: set[str]
    work_keys: set = field(default_factory=set)
    numbered: dict = field(default_factory=dict)  # Cloner: tokens each clone numbers anew (nossos números)

    @property
    def per_account(self) -> int:
        return sum(len(v) for v in self.items.values())


def template(world: World) -> Template:
    """A typical account built through the API, read back (made once per world)."""
    if world.template is None:
        seeded = seed_account(world, backups=0)  # a scheduled backup is a job's work, not background
        world.template = account_template(world, seeded["ids"]["account_id"])
    return world.template


def account_template(world: World, account_id: str, recipe=None, work_day: date | None = None) -> Template:
    """Read an account made through the API back as a template, apply `recipe` (a job's work) and
    note the index keys it set, then remove the account: every account the benchmarks measure
    among is a clone, its unrelated dates moved off the benchmark's days."""
    tokens = template_tokens(snapshot(world, {account_id}), account_id)
    before = snapshot(world, tokens)
    work_keys = set()
    if recipe is not None:
        recipe()
        tokens = template_tokens(snapshot(world, {account_id}), account_id)
        after = snapshot(world, tokens)
        work_keys = _changed_index_keys(before, after, index_keys(world.services.settings), work_day)
        before = after
    remove_items(world, before)
    return Template(before, tokens, work_keys, boleto_numbers(before))


def template_tokens(items_by_table: dict[str, list[dict]], account_id: str) -> set[str]:
    """The ids that belong to the template account: those in its own items' values."""
    found = set()
    for items in items_by_table.values():
        for item in items:
            if account_id in json.dumps(item):
                found.update(match.group(0) for match in APP_ID.finditer(json.dumps(item)))
    return found


def boleto_numbers(items_by_table: dict[str, list[dict]]) -> dict[str, str]:
    """A boleto's nosso número is unique in the table (its lookup item, NOSSO#<bank>:<number>, is
    created only if absent), and it is a bank's sequence, not an id the Cloner would replace: so
    each clone numbers its boletos anew (Cloner `numbered`), in the key and in the printed form
    ("109/00000001-6": wallet, number, check digit — the check digit and the barcode are kept from
    the template; nothing the jobs read checks them). The template's k-th boleto takes the clone's
    k-th number (cloner.Numbers): a clone of an account with two boletos (a renewal's) must not write
    one NOSSO key twice."""
    from bench.seeding.cloner import NUMBER_STRIDE

    numbered = {}
    for items in items_by_table.values():
        for item in items:
            pk, printed = item.get("pk", {}).get("S", ""), item.get("nosso_numero", {}).get("S")
            if not pk.startswith("NOSSO#") or not printed or ":" not in pk:
                continue
            bank = pk[len("NOSSO#"):].split(":", 1)[0]
            wallet, _, rest = printed.rpartition("/")
            digits, dash, check = rest.partition("-")
            k = len(numbered) // 2
            if (k + 2) * NUMBER_STRIDE > 10 ** len(digits):  # clone numbers: 10,000,000 up, fewer than a stride
                raise SeedFormatError(f"{k + 1} boletos in a template: their numbers outgrow {len(digits)} digits")
            numbered[pk[len("NOSSO#"):]] = f"{bank}:{{n[{k}]}}"
            numbered[printed] = f"{wallet}{'/' if wallet else ''}{{n[{k}]:0{len(digits)}d}}{dash}{check}"
    return numbered


def _changed_index_keys(before, after, keys, work_day: date | None) -> set:
    """The dated index keys the recipe set for `work_day` (keys it set for other days, such as a
    first invoice's charge, move with the background)."""
    old = {(table, item["pk"]["S"], item.get("sk", {}).get("S")): item
           for table, items in before.items() for item in items}
    changed = set()
    for table, items in after.items():
        for item in items:
            key = (table, item["pk"]["S"], item.get("sk", {}).get("S"))
            for attribute in keys.get(table, ()):
                value = item.get(attribute)
                match = DATED_SHARD.match((value or {}).get("S") or "")
                if not match or value == old.get(key, {}).get(attribute):
                    continue
                if work_day is None or match.group(2) == work_day.isoformat():
                    changed.add((*key, attribute))
    return changed
