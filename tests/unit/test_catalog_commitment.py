"""The catalog's commitment with monthly billing (`commitment_months`), validated at load."""
import pytest
from pydantic import ValidationError

from chalicelib.catalog import Product, load_catalog

BATCH = {"id": "lote", "name": "Lote", "kind": "batch", "contract": "mandatory", "pricing": "per_seat",
         "prices": {"monthly": 4900, "annual": 49000}, "boleto_periodicities": ["monthly"],
         "consolidation": "separate", "license_product": "cliente"}


def test_the_partner_batch_of_the_demo_catalog_commits_to_12_months():
    assert load_catalog().product("conta-azul-mais").commitment_months == 12


def test_a_commitment_needs_a_monthly_price():
    assert Product(**BATCH, commitment_months=12).commitment_months == 12
    with pytest.raises(ValidationError, match="commitment_months"):
        Product(**{**BATCH, "prices": {"annual": 49000}, "boleto_periodicities": []}, commitment_months=12)


@pytest.mark.parametrize("months", [0, 1, 61])
def test_a_commitment_is_a_sensible_number_of_months(months):
    with pytest.raises(ValidationError):
        Product(**BATCH, commitment_months=months)


def test_a_fixed_term_contract_has_installments_not_a_commitment():
    fixed = {**BATCH, "kind": "subscription", "contract": "fixed_term", "consolidation": "carry",
             "license_product": None, "term_installments": 12}
    with pytest.raises(ValidationError, match="commitment_months"):
        Product(**fixed, commitment_months=12)
