"""Composition root: builds the services with their repositories, clock and adapters, lazily, once
per process. Each bounded context's services are built in its own module (wiring/<context>.py), the
store and the adapters in repositories.py and adapters.py; `Container` puts them together. Every
collaborator goes in through a constructor (tests/unit/test_wiring.py builds them all). Tests replace
the container (`set_container`) to run the same services on fakes.

Only functools at import time: each builder imports its service when first asked (cold start)."""
from functools import cached_property

from chalicelib.settings import Settings, get_settings
from chalicelib.wiring.accounts import AccountsWiring
from chalicelib.wiring.adapters import AdaptersWiring, UnconfiguredCardGateway, _client
from chalicelib.wiring.collections import CollectionsWiring
from chalicelib.wiring.invoicing import InvoicingWiring
from chalicelib.wiring.lifecycle import LifecycleWiring
from chalicelib.wiring.partners import PartnersWiring
from chalicelib.wiring.payments import PaymentsWiring
from chalicelib.wiring.repositories import RepositoriesWiring
from chalicelib.wiring.requests import RequestsWiring
from chalicelib.wiring.subscriptions import SubscriptionsWiring

__all__ = ["Container", "UnconfiguredCardGateway", "_client", "container", "set_container"]


class Container(AccountsWiring, RequestsWiring, LifecycleWiring, SubscriptionsWiring, InvoicingWiring,
                PaymentsWiring, CollectionsWiring, PartnersWiring, RepositoriesWiring, AdaptersWiring):
    def __init__(self, settings: Settings | None = None, clock=None):
        self._settings = settings
        if clock is not None:  # a fixed clock instead of the stage's (tests, benchmarks)
            self.__dict__["clock"] = clock

    @cached_property
    def settings(self) -> Settings:
        return self._settings or get_settings()


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container()
    return _container


def set_container(new: Container | None) -> None:
    global _container
    _container = new
