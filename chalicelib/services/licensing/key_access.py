"""The door of the program's calls (activate, validate, deactivate): rate limits first, then the key.

Every call counts against its key and its source address, and an unknown key counts as a failure of
its source: past a limit the answer is 429, and a wrong key answers the same 404 whatever is wrong
with it (malformed, wrong check symbol, unknown, retired), so keys cannot be guessed or told apart."""
from chalicelib.domain.licensing import InvalidKey, RateLimits, normalize_key
from chalicelib.errors import NotFound, Throttled
from chalicelib.store.licensing import Counter, KeyState, LicenseKeyRefItem, rate_pk

_KEY_NOT_FOUND = "Chave de licença não encontrada."


def key_not_found() -> NotFound:
    return NotFound(_KEY_NOT_FOUND, code="license_key_not_found")


class KeyGate:
    def __init__(self, repository, limits: RateLimits, clock):
        self._repo = repository
        self._limits = limits
        self._clock = clock

    def open(self, key_text: str, source: str) -> tuple[str, list[Counter], KeyState, LicenseKeyRefItem]:
        """(key, counters, state, ref), or 429 / the one 404."""
        limits = self._limits
        window = limits.window(self._clock.now())
        expires = limits.window_end(window) + 3600
        try:
            key = normalize_key(key_text)
        except InvalidKey:
            key = None
        source_counter = Counter(rate_pk("src", source or "unknown"), window, expires)
        counters = [source_counter] + ([Counter(rate_pk("key", key), window, expires)] if key else [])
        lookup = self._repo.lookup(key or "-", counters)
        retry_after = limits.window_end(window) - int(self._clock.now().timestamp())
        over = (source_counter.failures >= limits.failures_per_source or source_counter.calls >= limits.per_source
                or (key is not None and counters[1].calls >= limits.per_key))
        if over:
            raise Throttled("Muitas tentativas; aguarde alguns minutos e tente novamente.", code="too_many_attempts",
                            details={"retry_after_seconds": max(retry_after, 1)})
        if lookup.ref is None:
            self._repo.count([source_counter], failed=True)
            raise key_not_found()
        state = self._repo.state(lookup.ref)
        if state.item is None:
            self._repo.count(counters, failed=True)
            raise key_not_found()
        return key, counters, state, lookup.ref
