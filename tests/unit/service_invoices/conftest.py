"""Shared pieces of the NFS-e adapter tests: throwaway certificates (one dev CA per test session and
worker), DPS values for each case, a running fake SEFIN and a SefinNacional pointed at it."""
import dataclasses
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.service_invoices import Address, DpsData, Provider, Taker, TaxRegime, Withholdings

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
PROVIDER_CNPJ = "45723174000110"
CNPJ_TAKER = "11444777000161"
CPF_TAKER = "52998224725"
CAXIAS_DO_SUL, SAO_PAULO_CITY, FLORIANOPOLIS = "4305108", "3550308", "4205407"

PROVIDER = Provider(cnpj=PROVIDER_CNPJ, legal_name="Renova Software Ltda", municipal_registration="123456",
                    ibge_city_code=CAXIAS_DO_SUL, tax_regime=TaxRegime.SIMPLES, iss_rate="2.00",
                    email="fiscal@renova.local", phone="5430001000", simples_total_rate="6.00")
COMPANY = Taker(document=CNPJ_TAKER, name="Marcenaria São João Ltda",
                address=Address(street="Av. Paulista", number="1000", district="Bela Vista",
                                ibge_city_code=SAO_PAULO_CITY, cep="01310-100", complement="conj. 42"),
                email="financeiro@marcenaria.com.br")
PERSON = Taker(document=CPF_TAKER, name="Ana Luísa Conceição",
               address=Address(street="Rua Felipe Schmidt", number="", district="Centro",
                               ibge_city_code=FLORIANOPOLIS, cep="88010001"),
               email="ana@example.com")


def dps_data(**changes) -> DpsData:
    base = DpsData(provider=PROVIDER, taker=COMPANY, series="1", number=1,
                   issued_at=datetime(2026, 4, 1, 10, 0, 5, tzinfo=SAO_PAULO), competence=date(2026, 4, 1),
                   national_service_code="010101", service_description="Assinatura Promob Plus - abril/2026",
                   service_amount_cents=19990, invoice_id="inv_2026_000123")
    return dataclasses.replace(base, **changes)


WITHHOLDINGS = Withholdings(iss_retained=True, irrf_cents=30000, csll_cents=20000, pis_cents=13000,
                            cofins_cents=60000)


@pytest.fixture(scope="session")
def certificates_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("nfse-certificates")


@pytest.fixture(scope="session")
def certificates(certificates_dir):
    from chalicelib.adapters.service_invoices.dev_certificates import ensure_dev_certificates

    return ensure_dev_certificates(certificates_dir, PROVIDER_CNPJ, "RENOVA SOFTWARE LTDA")


@pytest.fixture(scope="session")
def a1(certificates):
    return certificates.client_certificate()


@pytest.fixture(scope="module")
def fake(certificates_dir, certificates):
    from chalicelib.adapters.service_invoices.fake_sefin import FakeSefinServer

    server = FakeSefinServer(certificates_dir=certificates_dir, cnpj=PROVIDER_CNPJ,
                             legal_name="RENOVA SOFTWARE LTDA").start()
    yield server
    server.stop()


@pytest.fixture
def sefin(fake, certificates, a1):
    from chalicelib.adapters.service_invoices.sefin import SefinNacional

    fake.sefin.reset()
    return SefinNacional(fake.url, a1, ca_file=str(certificates.ca_cert))
