"""store/metrics.py's MetricsRepository in memory: the same facts counted once, the same counters."""
from chalicelib.store.metrics import Increment, _merged
from chalicelib.store.raw import to_plain


class FakeMetricsRepository:
    def __init__(self, store=None):
        """`store`: the fake billing table the rebuild reads its history from (tests/fakes/store.py)."""
        self._store = store
        self.items: dict[tuple[str, str], dict[str, int]] = {}
        self.facts: set[str] = set()
        self.transactions = 0  # one per fact counted or refused, as the real one sends

    def count_once(self, fact_key: str, increments: list[Increment], expires_at: int | None = None) -> bool:
        self.transactions += 1
        if fact_key in self.facts:
            return False
        self.facts.add(fact_key)
        for pk, sk, counters in _merged(increments):
            item = self.items.setdefault((pk, sk), {})
            for name, value in counters.items():
                item[name] = item.get(name, 0) + value
        return True

    def months(self, slice_: str, through: str) -> dict[str, dict[str, int]]:
        pk = f"METRICS#{slice_}"
        return {sk[len("MONTH#"):]: dict(counters) for (key, sk), counters in sorted(self.items.items())
                if key == pk and sk <= f"MONTH#{through}"}

    def days(self, slice_: str, month: str) -> dict[str, dict[str, int]]:
        pk = f"METRICS#{slice_}#{month}"
        return {f"{month}-{sk[len('DAY#'):]}": dict(c) for (key, sk), c in sorted(self.items.items()) if key == pk}

    def history(self, types: tuple[str, ...]):
        """The rebuild's one read of the stored history: every item of these types, as plain values
        (one page)."""
        wires = self._store.billing.items.values() if self._store is not None else ()
        yield [to_plain(wire) for wire in wires if wire.get("type", {}).get("S") in types]
