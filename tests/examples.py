"""How many examples a property test runs: the `full` hypothesis profile (what `make test` and CI
run) takes each test's own count; the default `dev` profile takes a tenth of it (at least 5), so a
developer's run of the unit and use-case tiers stays under a minute. Pick the profile with
HYPOTHESIS_PROFILE=full|dev."""
import os

from hypothesis import settings

FULL = os.environ.get("HYPOTHESIS_PROFILE", "dev") == "full"

settings.register_profile("full", max_examples=100, deadline=None)
settings.register_profile("dev", max_examples=10, deadline=None)
settings.load_profile("full" if FULL else "dev")


def examples(full_count: int) -> int:
    """`full_count` examples in the full profile, a tenth of them (at least 5) in the dev profile."""
    return full_count if FULL else max(5, full_count // 10)
