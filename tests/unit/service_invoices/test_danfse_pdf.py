"""The DANFSe read back the way a person or a phone would: the page rendered to an image (pdftoppm)
and its QR code decoded by a real reader (zbarimg), plus its text (pdftotext)."""
import subprocess
from pathlib import Path

import pytest

from chalicelib.adapters.pdf.danfse_pdf import read_nfse, render_danfse
from tests.unit.boleto.independent import require_tool
from tests.unit.service_invoices.conftest import PERSON, WITHHOLDINGS, dps_data

CONSULTATION = "https://www.nfse.gov.br/ConsultaPublica/?tpc=1&chave="


@pytest.fixture(scope="module")
def nfse(fake, certificates, a1):
    from chalicelib.adapters.service_invoices.sefin import SefinNacional

    sefin = SefinNacional(fake.url, a1, ca_file=str(certificates.ca_cert))
    company = sefin.issue(sefin.sign(dps_data(number=500, withholdings=WITHHOLDINGS, service_amount_cents=2_000_000,
                                              discount_cents=10000)))
    person = sefin.issue(sefin.sign(dps_data(number=501, taker=PERSON)))
    substitute = sefin.issue(sefin.sign(dps_data(number=502, withholdings=WITHHOLDINGS, service_amount_cents=2_000_000,
                                                 discount_cents=60000, substitutes_access_key=company.access_key,
                                                 substitution_reason="Reembolso parcial da assinatura")))
    return {"company": company, "person": person, "substitute": substitute}


def pages(pdf: bytes, tmp_path: Path) -> int:
    (tmp_path / "info.pdf").write_bytes(pdf)
    out = subprocess.run([require_tool("pdfinfo"), str(tmp_path / "info.pdf")], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def qr_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    (tmp_path / "danfse.pdf").write_bytes(pdf)
    subprocess.run([require_tool("pdftoppm"), "-r", "200", "-png", "-singlefile", str(tmp_path / "danfse.pdf"),
                    str(tmp_path / "page")], check=True, timeout=120)
    result = subprocess.run([require_tool("zbarimg"), "-q", str(tmp_path / "page.png")], capture_output=True,
                            text=True, timeout=120)
    return [line.split(":", 1)[1] for line in result.stdout.splitlines() if line.startswith("QR-Code:")]


def text(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "text.pdf").write_bytes(pdf)
    return subprocess.run([require_tool("pdftotext"), "-layout", str(tmp_path / "text.pdf"), "-"],
                          capture_output=True, text=True, check=True, timeout=60).stdout


def test_the_qr_code_opens_the_national_consultation_with_the_key(nfse, tmp_path):
    issued = nfse["company"]

    assert qr_codes(render_danfse(issued.xml), tmp_path) == [CONSULTATION + issued.access_key]


def test_the_page_says_what_the_nfse_says(nfse, tmp_path):
    issued = nfse["company"]
    pdf = render_danfse(issued.xml)
    page = text(pdf, tmp_path)

    assert pages(pdf, tmp_path) == 1
    for expected in ("DANFSe v1.0", "Documento Auxiliar da NFS-e", issued.access_key, "RENOVA SOFTWARE LTDA",
                     "45.723.174/0001-10", "Marcenaria São João Ltda", "11.444.777/0001-61", "São Paulo - SP",
                     "010101", "Assinatura Promob Plus - abril/2026", "Caxias do Sul",
                     "R$ 20.000,00", "R$ 100,00", "R$ 398,00", "Retido pelo tomador", "R$ 300,00", "R$ 200,00",
                     "R$ 130,00", "R$ 600,00", "Fatura inv_2026_000123", "01/04/2026",
                     "NFS-e SEM VALIDADE JURÍDICA", "Produção restrita"):
        assert expected in page, expected
    assert f"{'Número da NFS-e'}" in page


def test_a_person_taker(nfse, tmp_path):
    page = text(render_danfse(nfse["person"].xml), tmp_path)

    assert "Ana Luísa Conceição" in page and "529.982.247-25" in page and "Florianópolis - SC" in page
    assert "Rua Felipe Schmidt, S/N, Centro" in page


def test_a_substitution_names_the_nfse_it_replaces(nfse, tmp_path):
    page = text(render_danfse(nfse["substitute"].xml), tmp_path)

    assert f"Substitui a NFS-e de chave de acesso {nfse['company'].access_key}" in " ".join(page.split())
    assert "Reembolso parcial da assinatura" in page


def test_production_has_no_warning(nfse, tmp_path):
    production = nfse["company"].xml.replace(b"<tpAmb>2</tpAmb>", b"<tpAmb>1</tpAmb>")

    page = text(render_danfse(production), tmp_path)

    assert "SEM VALIDADE" not in page and "Ambiente: Produção" in page


def test_missing_fields_are_a_dash_not_a_guess(nfse):
    data = read_nfse(nfse["person"].xml)

    assert data.taker["im"] == "-" and data.federal["irrf"] == "-"
    assert data.values["unconditional"] == "-"


def test_a_dps_is_not_an_nfse(nfse):
    from lxml import etree

    root = etree.fromstring(nfse["company"].xml)
    dps = etree.tostring(root[0].find("{http://www.sped.fazenda.gov.br/nfse}DPS"))

    with pytest.raises(ValueError):
        read_nfse(dps)
