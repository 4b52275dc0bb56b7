import pytest

from tests.unit.boleto.independent import NodeValidators


@pytest.fixture(scope="session")
def node_validators():
    validators = NodeValidators()
    yield validators
    validators.close()
