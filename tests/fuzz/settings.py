"""The schemathesis configuration of the fuzzing run, built from the ids the seeds harvested.

What it asserts about every answer (CHECKS): no 5xx; the status is one the operation documents; the
Content-Type is the documented one; the body validates against the documented schema (the error
shape for errors); documented response headers conform; and data that breaks the schema (wrong type,
out of range, missing required field, unknown field) is refused with a 4xx.

What it leaves out, and why (docs/reliability.md repeats it):
- `positive_data_acceptance`: schema-valid is not business-valid here (CPF/CNPJ check digits, the
  backup window, plan rules), so a 4xx to valid-looking data is correct, not a bug.
- the stateful phase: the document has no OpenAPI links; the seeds give real ids instead.
- `negative_data_rejection` on the webhooks: their bodies are signed (tests/fuzz/signing.py), and a
  signed body that breaks the event schema is answered 200 on purpose — a dead letter kept for the
  finance team, so the gateway stops retrying — not 4xx. Every other check applies to them.
- TRACE and QUERY as unexpected methods: `chalice local` (Python's http.server) answers them 501
  itself, before the app; API Gateway refuses them on its own in AWS. Every other method is tried.
"""
import os
import random

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
)
UNEXPECTED_METHODS = ["get", "put", "post", "delete", "patch", "options"]
# Body fields whose useful values no schema can describe (catalog ids).
BODY_DICTIONARIES = {"product_id": 0.7}
INTERNAL_TOKEN = "local-internal-token"
SIGNED_WEBHOOKS = ("/v1/webhooks/asaas", "/v1/webhooks/stripe")


def max_examples() -> int:
    return int(os.environ.get("RENOVA_FUZZ_EXAMPLES", "20"))


def seed() -> int:
    """RENOVA_FUZZ_SEED replays a run; otherwise each run explores new data (the seed is printed)."""
    value = os.environ.get("RENOVA_FUZZ_SEED")
    return int(value) if value else random.randrange(2**32)


def build_config(harvest_values: dict[str, list[str]], path_names: set[str], token: str,
                 run_seed: int | None = None, per_path: dict[str, dict[str, str]] | None = None) -> dict:
    """`per_path`: path → ids for that operation where they differ from the first known ones."""
    dictionaries = {f"known_{name}": {"values": list(values)}
                    for name, values in sorted(harvest_values.items()) if values}
    # Path parameters are fixed to a real id (the first harvested): schemathesis applies fixed values
    # in every phase, dictionary draws only in the fuzzing phase, and a coverage phase on random ids
    # spends its whole budget on 404s. Unknown and foreign ids have their own matrix
    # (tests/api/test_route_table.py: another account's ids answer 404 on every account route).
    parameters = {f"path.{name}": harvest_values[name][0]
                  for name in sorted(path_names) if harvest_values.get(name)}
    for name, probability in BODY_DICTIONARIES.items():
        if f"known_{name}" in dictionaries:
            parameters[f"body.{name}"] = {"dictionary": f"known_{name}", "probability": probability}
    config = {
        "dictionaries": dictionaries,
        "parameters": parameters,
        # The fuzzing user owns the demo account and is in the finance group; the internal token
        # opens the service routes. Every other access rule has its own matrix in tests/api.
        "headers": {"Authorization": f"Bearer {token}", "X-Internal-Token": INTERNAL_TOKEN},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True, "unexpected-methods": UNEXPECTED_METHODS},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "generation": {"mode": "all", "max-examples": max_examples(), "database": "none"},
        "request-timeout": 30,
        "suppress-health-check": ["too_slow", "filter_too_much"],
    }
    operations = [{"include-path": path, "parameters": {f"path.{name}": value for name, value in ids.items()}}
                  for path, ids in sorted((per_path or {}).items())
                  if ids and any(parameters.get(f"path.{name}") != value for name, value in ids.items())]
    operations += [{"include-path": path, "checks": {"negative_data_rejection": {"enabled": False}}}
                   for path in SIGNED_WEBHOOKS]
    config["operations"] = operations
    if run_seed is not None:
        config["seed"] = run_seed
    return config
