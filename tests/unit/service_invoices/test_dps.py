"""DpsData -> DPS XML: each case validated against the official XSD nfelib ships (DPS_v1.01.xsd, read
here with lxml directly, not through the adapter), and the fields read back where the layout puts them."""
import dataclasses
from datetime import date

import pytest
from lxml import etree

from chalicelib.adapters.service_invoices import layout
from chalicelib.adapters.service_invoices.dps import DpsBuilder, pis_cofins_retention, text
from chalicelib.adapters.service_invoices.schemas import LayoutError, schema_dir
from chalicelib.domain.service_invoices import Provider, TaxRegime, Withholdings
from tests.unit.service_invoices.conftest import (CAXIAS_DO_SUL, CNPJ_TAKER, CPF_TAKER, PERSON, PROVIDER,
                                                  PROVIDER_CNPJ, SAO_PAULO_CITY, WITHHOLDINGS, dps_data)

NS = {"n": layout.NAMESPACE}
ACCESS_KEY = layout.access_key("4305108", PROVIDER_CNPJ, 1, date(2026, 4, 1), 123456789)


def official_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_dir() / "DPS_v1.01.xsd")))


def build(data, **builder):
    dps_id, xml = DpsBuilder(**builder).build(data)
    root = etree.fromstring(xml)
    assert official_schema().validate(root), official_schema().error_log
    return dps_id, root


def value(root, path):
    found = root.find("n:infDPS/" + "/".join(f"n:{step}" for step in path.split("/")), NS)
    return None if found is None else found.text


def test_a_company_taker():
    dps_id, root = build(dps_data())

    assert dps_id == root.find("n:infDPS", NS).get("Id") == "DPS" + CAXIAS_DO_SUL + "2" + PROVIDER_CNPJ + "00001" + "1".zfill(15)
    assert root.get("versao") == "1.01"
    assert value(root, "tpAmb") == "2" and value(root, "tpEmit") == "1" and value(root, "cLocEmi") == CAXIAS_DO_SUL
    assert value(root, "dhEmi") == "2026-04-01T10:00:05-03:00" and value(root, "dCompet") == "2026-04-01"
    assert value(root, "verAplic") == "Renova-1.0" and value(root, "serie") == "1" and value(root, "nDPS") == "1"
    assert value(root, "prest/CNPJ") == PROVIDER_CNPJ and value(root, "prest/IM") == "123456"
    assert value(root, "prest/xNome") is None and value(root, "prest/end/xLgr") is None  # E0121, E0128
    assert value(root, "prest/regTrib/opSimpNac") == "3" and value(root, "prest/regTrib/regApTribSN") == "1"
    assert value(root, "toma/CNPJ") == CNPJ_TAKER and value(root, "toma/xNome") == "Marcenaria São João Ltda"
    assert value(root, "toma/end/endNac/cMun") == SAO_PAULO_CITY and value(root, "toma/end/endNac/CEP") == "01310100"
    assert value(root, "toma/end/xCpl") == "conj. 42" and value(root, "toma/email") == "financeiro@marcenaria.com.br"
    assert value(root, "serv/locPrest/cLocPrestacao") == CAXIAS_DO_SUL
    assert value(root, "serv/cServ/cTribNac") == "010101"
    assert value(root, "serv/cServ/xDescServ") == "Assinatura Promob Plus - abril/2026"
    assert value(root, "serv/infoCompl/xInfComp") == "Fatura inv_2026_000123"
    assert value(root, "valores/vServPrest/vServ") == "199.90"
    assert value(root, "valores/vDescCondIncond") is None
    assert value(root, "valores/trib/tribMun/tribISSQN") == "1" and value(root, "valores/trib/tribMun/tpRetISSQN") == "1"
    assert value(root, "valores/trib/tribMun/pAliq") is None  # Simples without retention: E0625
    assert value(root, "valores/trib/tribFed") is None
    assert value(root, "valores/trib/totTrib/pTotTribSN") == "6.00"


def test_a_person_taker_without_a_street_number():
    _, root = build(dps_data(taker=PERSON))

    assert value(root, "toma/CPF") == CPF_TAKER and value(root, "toma/CNPJ") is None
    assert value(root, "toma/xNome") == "Ana Luísa Conceição" and value(root, "toma/end/nro") == "S/N"


def test_b2b_withholdings():
    _, root = build(dps_data(withholdings=WITHHOLDINGS, service_amount_cents=2_000_000))

    assert value(root, "valores/trib/tribMun/tpRetISSQN") == "2"
    assert value(root, "valores/trib/tribMun/pAliq") == "2.00"  # Simples with retention: E0621 asks for it
    assert value(root, "valores/trib/tribFed/vRetIRRF") == "300.00"
    assert value(root, "valores/trib/tribFed/vRetCSLL") == "200.00"
    assert value(root, "valores/trib/tribFed/piscofins/CST") == "01"
    assert value(root, "valores/trib/tribFed/piscofins/vPis") == "130.00"
    assert value(root, "valores/trib/tribFed/piscofins/vCofins") == "600.00"
    assert value(root, "valores/trib/tribFed/piscofins/tpRetPisCofins") == "3"  # PIS, COFINS and CSLL retained


@pytest.mark.parametrize("pis, cofins, csll, code", [
    (True, True, True, "3"), (True, True, False, "4"), (True, False, False, "5"), (False, True, False, "6"),
    (False, True, True, "7"), (False, False, True, "8"), (True, False, True, "9"), (False, False, False, "0")])
def test_pis_cofins_retention_codes_of_layout_101(pis, cofins, csll, code):
    assert pis_cofins_retention(pis, cofins, csll) == code


def test_only_irrf_withheld_has_no_pis_cofins_group():
    _, root = build(dps_data(withholdings=Withholdings(irrf_cents=1500), service_amount_cents=100000))

    assert value(root, "valores/trib/tribFed/vRetIRRF") == "15.00"
    assert value(root, "valores/trib/tribFed/piscofins") is None


def test_a_discount_is_the_unconditional_one():
    _, root = build(dps_data(discount_cents=2990))

    assert value(root, "valores/vServPrest/vServ") == "199.90"
    assert value(root, "valores/vDescCondIncond/vDescIncond") == "29.90"
    assert value(root, "valores/vDescCondIncond/vDescCond") is None


def test_a_substitution_dps():
    _, root = build(dps_data(number=2, substitutes_access_key=ACCESS_KEY,
                             substitution_reason="Reembolso parcial da assinatura"))

    assert value(root, "subst/chSubstda") == ACCESS_KEY
    assert value(root, "subst/cMotivo") == "99" and value(root, "subst/xMotivo") == "Reembolso parcial da assinatura"


def test_a_substitution_with_reason_99_needs_its_description():
    with pytest.raises(LayoutError) as refused:
        DpsBuilder().build(dps_data(substitutes_access_key=ACCESS_KEY, substitution_reason=""))

    assert refused.value.field == "infDPS/subst/xMotivo"


@pytest.mark.parametrize("regime, retained, agreement, rate, total", [
    (TaxRegime.NOT_SIMPLES, False, True, None, "indTotTrib"),
    (TaxRegime.NOT_SIMPLES, True, True, None, "indTotTrib"),
    (TaxRegime.NOT_SIMPLES, False, False, "2.00", "indTotTrib"),
    (TaxRegime.MEI, False, False, None, "indTotTrib"),
    (TaxRegime.SIMPLES, False, True, None, "pTotTribSN"),
    (TaxRegime.SIMPLES, True, True, "2.00", "pTotTribSN"),
])
def test_regime_rate_and_total_taxes(regime, retained, agreement, rate, total):
    provider = dataclasses.replace(PROVIDER, tax_regime=regime)
    _, root = build(dps_data(provider=provider, withholdings=Withholdings(iss_retained=retained)),
                    incidence_agreement_active=agreement)

    assert value(root, "prest/regTrib/opSimpNac") == {"not_simples": "1", "mei": "2", "simples": "3"}[regime]
    assert (value(root, "prest/regTrib/regApTribSN") is not None) == (regime == TaxRegime.SIMPLES)
    assert value(root, "valores/trib/tribMun/pAliq") == rate
    assert root.find(f"n:infDPS/n:valores/n:trib/n:totTrib/n:{total}", NS) is not None


def test_production_is_tpamb_1():
    _, root = build(dps_data(), environment="production")

    assert value(root, "tpAmb") == "1"


@pytest.mark.parametrize("changes, field", [
    (dict(taker=dataclasses.replace(PERSON, address=dataclasses.replace(PERSON.address, cep="8801"))),
     "infDPS/toma/end/endNac/CEP"),
    (dict(national_service_code="1.01"), "infDPS/serv/cServ/cTribNac"),
    (dict(service_amount_cents=-100), "infDPS/valores/vServPrest/vServ"),
    (dict(taker=dataclasses.replace(PERSON, document="5299822472")), "infDPS/toma/CPF"),
    (dict(service_description=""), "infDPS/serv/cServ/xDescServ"),
    (dict(provider=dataclasses.replace(PROVIDER, simples_total_rate="")), "infDPS/valores/trib/totTrib/pTotTribSN"),
    (dict(provider=dataclasses.replace(PROVIDER, ibge_city_code="430510")), "infDPS/@Id"),
])
def test_a_broken_value_is_refused_naming_its_field(changes, field):
    with pytest.raises(ValueError) as refused:
        DpsBuilder().build(dps_data(**changes))

    assert isinstance(refused.value, LayoutError) and refused.value.field == field
    assert field in str(refused.value)


def test_a_naive_issue_instant_is_refused():
    with pytest.raises(LayoutError) as refused:
        DpsBuilder().build(dps_data(issued_at=dps_data().issued_at.replace(tzinfo=None)))

    assert refused.value.field == "infDPS/dhEmi"


def test_text_becomes_what_the_layout_accepts():
    assert text("  Plano Pro – março  \t 2026 ") == "Plano Pro - março 2026"
    assert text("linha 1\r\n  linha 2 ", multiline=True) == "linha 1\nlinha 2"
    assert text("“aspas” e ‘apóstrofos’…") == "\"aspas\" e 'apóstrofos'..."
    assert text("   ") is None


def test_typographic_characters_do_not_break_the_xsd():
    _, root = build(dps_data(service_description="Plano Pro — março “promo”", taker=dataclasses.replace(
        PERSON, name="José “Zé” D’Ávila")))

    assert value(root, "toma/xNome") == "José \"Zé\" D'Ávila"


def test_provider_name_and_address_stay_out_even_when_known():
    provider = Provider(cnpj=PROVIDER_CNPJ, legal_name="X", municipal_registration="1", ibge_city_code=CAXIAS_DO_SUL,
                        tax_regime=TaxRegime.NOT_SIMPLES, iss_rate="3")
    _, root = build(dps_data(provider=provider))

    assert value(root, "prest/xNome") is None and value(root, "prest/email") is None


def test_a_missing_required_element_is_named_by_the_schema_check():
    from chalicelib.adapters.service_invoices import schemas

    _, xml = DpsBuilder().build(dps_data())
    broken = xml.replace(b"<cTribNac>010101</cTribNac>", b"")

    with pytest.raises(LayoutError) as refused:
        schemas.validate(broken, schemas.DPS)

    assert refused.value.field == "infDPS/serv/cServ/cTribNac"
