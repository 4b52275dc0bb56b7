"""The use-case tier: the real services on in-memory fakes (tests/fakes/world.py), no HTTP, no AWS."""
import pytest

from tests.fakes.world import World, offline, seams


@pytest.fixture
def world():
    with offline():
        built = World()
        with seams(built.store):
            yield built
