"""Composition root: builds the services with their repositories, clock and adapters, lazily, once
per process. Each bounded context's services are built in its own module (wiring/<context>.py), the
store and the adapters in repositories.py and adapters.py; `Container` puts them together. Every
collaborator goes in through a constructor (tests/unit/test_wiring.py builds them all). Tests replace
the container (`set_container`) to run the same services on fakes.

The PynamoDB models are process-wide classes, so they talk to one endpoint and table set at a time: the
installed container's. `set_container` binds them to its settings (chalicelib.store.base.bind_models),
so tests can move one process from moto to DynamoDB Local and back. Building a Container does not
bind: tests build containers only to inspect them (a prod one in tests/unit/test_wiring.py).

Only functools and sys at import time: each builder imports its service when first asked (cold start)."""
import sys
from functools import cached_property

from chalicelib.settings import Settings, get_settings
from chalicelib.wiring.accounts import AccountsWiring
from chalicelib.wiring.adapters import AdaptersWiring, UnconfiguredCardGateway, _client
from chalicelib.wiring.collections import CollectionsWiring
from chalicelib.wiring.invoicing import InvoicingWiring
from chalicelib.wiring.licensing import LicensingWiring
from chalicelib.wiring.metrics import MetricsWiring
from chalicelib.wiring.lifecycle import LifecycleWiring
from chalicelib.wiring.partners import PartnersWiring
from chalicelib.wiring.payments import PaymentsWiring
from chalicelib.wiring.pix_automatico import PixAutomaticoWiring
from chalicelib.wiring.repositories import RepositoriesWiring
from chalicelib.wiring.requests import RequestsWiring
from chalicelib.wiring.service_invoices import ServiceInvoicesWiring
from chalicelib.wiring.subscriptions import SubscriptionsWiring

__all__ = ["Container", "UnconfiguredCardGateway", "_client", "container", "set_container"]


class Container(AccountsWiring, RequestsWiring, LifecycleWiring, SubscriptionsWiring, InvoicingWiring,
                PaymentsWiring, CollectionsWiring, PartnersWiring, LicensingWiring, RepositoriesWiring,
                AdaptersWiring, PixAutomaticoWiring, MetricsWiring, ServiceInvoicesWiring):
    def __init__(self, settings: Settings | None = None, clock=None):
        self._settings = settings
        if clock is not None:  # a fixed clock instead of the stage's (tests, benchmarks)
            self.__dict__["clock"] = clock

    @cached_property
    def settings(self) -> Settings:
        return self._settings or get_settings()

    def bind_store(self, if_loaded: bool = False) -> None:
        """Point the PynamoDB models and transactions at this container's endpoint, region and tables.
        `if_loaded`: only when the store is already imported (it binds the environment's settings, the
        default container's, when it is imported), so a cold start does not load PynamoDB early."""
        if if_loaded and "chalicelib.store.base" not in sys.modules:
            return
        from chalicelib.store.base import bind_models

        bind_models(self.settings)


_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        _container = Container()
        _container.bind_store(if_loaded=True)  # a container set before may have bound others
    return _container


def set_container(new: Container | None) -> None:
    global _container
    _container = new
    if new is not None:
        new.bind_store()
