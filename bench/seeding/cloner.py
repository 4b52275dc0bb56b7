"""Copies of a template account's items with fresh ids, their dated index keys moved."""
from __future__ import annotations

import itertools
import json
import re
import secrets
import uuid
from datetime import date, timedelta

BACKGROUND_SHIFT_DAYS = 200
CLONE_NUMBERS = itertools.count(10_000_000)  # Template.numbered: every clone of the process its own
NUMBER_STRIDE = 10_000_000  # a clone's k-th numbered sequence (its k-th boleto) is its number + k x this


class Numbers:
    """A clone's numbers, one per numbered sequence of its template (`{n[k]}` in a Template.numbered
    format): a template with two boletos needs two nossos números per clone, never one twice."""

    def __init__(self, number: int):
        self.number = number

    def __getitem__(self, k: int) -> int:
        return self.number + k * NUMBER_STRIDE


# Ids the app makes: prefix_hex (accounts: 20 random hex; services/shared/ids.py: 11 hex of milliseconds
# then 12 random), gateway-style pi_fake_hex, and uuid4 (hex or dashed).
APP_ID = re.compile(r"\b([a-z]{2,8}(?:_[a-z]{2,8})?)_([0-9a-f]{16,40})\b|\b[0-9a-f]{32}\b"
                    r"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
# A dated, write-sharded index partition: KIND#yyyy-mm-dd#shard (store/due.py).
DATED_SHARD = re.compile(r"^(.*)#(\d{4}-\d{2}-\d{2})#(\d+)$")


class Cloner:
    """Copies of a template's items with fresh ids. `shift_days` moves the date in every dated,
    sharded index key but the work keys (background accounts fall due later, never on the
    benchmark's days). The shard is computed again from the clone's own id, as the app computes it
    (store/due.py `shard_of`), so the copies spread over the day's partitions as real keys do and
    the job finds them where it expects them."""

    def __init__(self, template: dict[str, list[dict]], tokens: set[str], index_keys: dict[str, set[str]],
                 work_keys: set = frozenset(), numbered: dict[str, str] | None = None):
        self.template = template
        self.work_keys = work_keys
        self.numbered = numbered or {}  # token -> its replacement's format, from the clone's `n[k]` (Numbers)
        tokens = set(tokens) | set(self.numbered)
        # Longest first, so an id is never replaced inside a longer one; account ids first when a
        # shard is traced back to the id it was computed from (the app shards by account).
        self.tokens = sorted(tokens, key=lambda t: (not t.startswith("acc_"), -len(t), t))
        self.pattern = re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True))) if tokens else None
        self.index_keys = index_keys
        self.shard_sources = {}  # (table, item number, attribute) -> the id its shard comes from

    def mapping(self, number: int = 0) -> dict[str, str]:
        """A clone's replacement of every token: fresh ids, and its numbered tokens for `number`."""
        mapping = {token: _fresh(token) for token in self.tokens if token not in self.numbered}
        mapping.update({token: form.format(n=Numbers(number)) for token, form in self.numbered.items()})
        return mapping

    def items(self, shift_days: int = 0, number: int = 0, mapping: dict | None = None):
        mapping = mapping or self.mapping(number)
        for table, items in self.template.items():
            for position, item in enumerate(items):
                copy = _replace(item, self.pattern, mapping) if self.pattern else dict(item)
                for key in self.index_keys.get(table, ()):
                    value = self.dated(table, position, key, item, mapping, shift_days)
                    if value is not None:
                        copy[key] = {"S": value}
                yield table, copy

    def partitions(self, mapping: dict) -> set[tuple[str, str]]:
        """(table, pk) of every partition a clone made with `mapping` owns: those whose key names one
        of its ids (not a partition shared by every account, such as a counter's)."""
        return {(table, _replace(item["pk"]["S"], self.pattern, mapping))
                for table, items in self.template.items() for item in items
                if self.pattern and self.pattern.search(item["pk"]["S"])}

    def dated(self, table: str, position: int, key: str, item: dict, mapping: dict, shift_days: int) -> str | None:
        """The clone's value of a dated, sharded index key (None when `key` is not one in `item`)."""
        from chalicelib.store.due import shard_of

        match = DATED_SHARD.match(item.get(key, {}).get("S") or "")
        if not match:
            return None
        source = self._shard_source(table, position, key, item, int(match.group(3)))
        own = (table, item["pk"]["S"], item.get("sk", {}).get("S"), key) in self.work_keys
        day = date.fromisoformat(match.group(2)) + timedelta(days=0 if own else shift_days)
        shard = shard_of(mapping[source]) if source else int(match.group(3))
        prefix = _replace(match.group(1), self.pattern, mapping) if self.pattern else match.group(1)
        return f"{prefix}#{day.isoformat()}#{shard}"

    def compiled(self, attributes: dict[str, set[str]]) -> list[tuple]:
        """The template's items as format strings, for SQLiteSeeder: per item (table, position,
        the item's compact DynamoDB JSON, {attribute in `attributes[table]`: its string value},
        [(placeholder, dated key)]), every token a {tN} placeholder and every dated key's value a
        {dN} one. `format_map` then makes a clone's JSON and keys without walking the item."""
        names = {token: f"t{n}" for n, token in enumerate(self.tokens)}

        def placeholders(text: str) -> str:
            text = text.replace("{", "{{").replace("}", "}}")
            return self.pattern.sub(lambda m: "{" + names[m.group(0)] + "}", text) if self.pattern else text

        compiled = []
        for table, items in self.template.items():
            for position, item in enumerate(items):
                text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
                dated = []
                for key in sorted(self.index_keys.get(table, ())):
                    raw = (item.get(key) or {}).get("S") or ""
                    if not DATED_SHARD.match(raw):
                        continue
                    fragment = json.dumps({key: {"S": raw}}, separators=(",", ":"), ensure_ascii=False)[1:-1]
                    if text.count(fragment) != 1 or json.dumps(raw)[1:-1] != raw:
                        raise SeedFormatError(f"cannot compile the dated key {key} of {item['pk']['S']}")
                    name = f"d{len(dated)}"
                    text = text.replace(fragment, fragment[:-len(raw) - 3] + f'"\x00{name}\x00"}}')
                    dated.append((name, key))
                text = placeholders(text)
                for name, _ in dated:
                    text = text.replace(f"\x00{name}\x00", "{" + name + "}")
                values = {}
                for attribute in attributes.get(table, ()):
                    raw = (item.get(attribute) or {}).get("S")
                    if raw is None:
                        continue
                    own = next((name for name, key in dated if key == attribute), None)
                    values[attribute] = "{" + own + "}" if own else placeholders(raw)
                compiled.append((table, position, text, values, dated))
        return compiled, names

    def _shard_source(self, table: str, number: int, key: str, item: dict, shard: int) -> str | None:
        from chalicelib.store.due import shard_of

        cache_key = (table, number, key)
        if cache_key not in self.shard_sources:
            text = json.dumps(item)
            self.shard_sources[cache_key] = next(
                (t for t in self.tokens if t in text and shard_of(t) == shard), None)
        return self.shard_sources[cache_key]


def _fresh(token: str) -> str:
    match = APP_ID.fullmatch(token)
    if match and match.group(1):
        digits = match.group(2)
        keep = digits[:11] if len(digits) == 23 else ""  # a sortable id keeps its time, so its order
        return f"{match.group(1)}_{keep}{secrets.token_hex(20)[:len(digits) - len(keep)]}"
    if "-" in token:
        return str(uuid.uuid4())
    return secrets.token_hex(len(token) // 2)


def _replace(value, pattern, mapping):
    if isinstance(value, str):
        return pattern.sub(lambda m: mapping[m.group(0)], value)
    if isinstance(value, dict):
        return {k: _replace(v, pattern, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, pattern, mapping) for v in value]
    return value


class SeedFormatError(RuntimeError):
    pass
