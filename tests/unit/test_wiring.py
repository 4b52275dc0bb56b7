"""The composition root builds every service whole: each collaborator goes in through its constructor,
none is left None to be patched on later (a hook left unset used to drop held chargebacks silently)."""
import inspect
from functools import cached_property

import pytest

from chalicelib.settings import Settings
from chalicelib.wiring import Container


def offered() -> list[str]:
    """Every service, repository and adapter the container builds (a property added later included)."""
    return sorted(name for name in dir(Container) if isinstance(inspect.getattr_static(Container, name), cached_property))


def is_service(value) -> bool:
    # Adapters and settings may hold None (a queue URL not yet resolved, an unset endpoint): not collaborators.
    return type(value).__module__.startswith("chalicelib.services.") and hasattr(value, "__dict__")


def none_attributes(root, path: str, seen: set[int]) -> list[str]:
    """`path.attribute` of every None attribute of the service `root` and of the services it holds."""
    if id(root) in seen:
        return []
    seen.add(id(root))
    found = []
    for attribute, value in vars(root).items():
        where = f"{path}.{attribute}"
        if value is None:
            found.append(where)
        elif is_service(value):
            found.extend(none_attributes(value, where, seen))
    return found


def test_every_service_the_container_offers_is_built_with_all_its_collaborators(aws):
    seen: set[int] = set()
    missing = []
    for name in offered():
        built = getattr(aws, name)
        assert built is not None, name
        if is_service(built):
            missing.extend(none_attributes(built, name, seen))
    assert missing == []


def test_no_service_constructor_lets_a_collaborator_default_to_none(aws):
    optional = []
    for name in offered():
        service = type(getattr(aws, name))
        if not service.__module__.startswith("chalicelib.services."):
            continue
        for parameter in inspect.signature(service.__init__).parameters.values():
            if parameter.default is None:
                optional.append(f"{service.__name__}({parameter.name}=None)")
    assert optional == []


def test_the_hooks_into_other_services_are_the_services_the_container_offers(aws):
    assert aws.settlement.held_events == aws.refunds.apply_held
    assert aws.cancellation_endings.on_batch_end == aws.license_exits.batch_ended
    assert aws.plan_changes.notices is aws.invoice_notices


def test_a_stage_without_a_stripe_key_builds_every_service_and_refuses_only_card_calls(aws):
    settings = Settings(RENOVA_STAGE="prod", AUTH_ISSUER="https://issuer.example", CURSOR_SECRET="c",
                        AUTH_JWKS_URL="http://127.0.0.1:9/jwks.json", STRIPE_WEBHOOK_SECRET="s",
                        ASAAS_WEBHOOK_TOKEN="a", STRIPE_API_KEY="")
    services = Container(settings)
    for name in offered():
        getattr(services, name)
    with pytest.raises(RuntimeError, match="STRIPE_API_KEY"):
        services.purger._card_gateway.delete_customer("cus_1", "key")
