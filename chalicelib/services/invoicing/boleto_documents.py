"""The payable document of a boleto invoice: a nosso número from the agreement's counter, the
FEBRABAN barcode and linha digitável, a Pix BR Code (boleto híbrido) and the PDF in S3, which people
reach through a short-lived link."""
from dataclasses import dataclass
from datetime import date

from chalicelib.adapters.files import account_prefix
from chalicelib.domain.banks import bank_for
from chalicelib.domain.boleto import build_boleto
from chalicelib.domain.money import format_brl
from chalicelib.domain.pix import build_static_pix

PDF_LINK_SECONDS = 15 * 60
INVOICE_FILES = "invoices"
PDF_INSTRUCTIONS = (
    "Após o vencimento, multa de 2% e juros de 1% ao mês pro rata die.",
    "Pague também pelo Pix com o QR Code ao lado.",
)


@dataclass(frozen=True)
class BoletoDocument:
    nosso_numero: str
    barcode: str
    digitable_line: str
    formatted_line: str
    due_date: date
    amount_cents: int
    pix_payload: str
    pdf_key: str


@dataclass(frozen=True)
class Payer:
    name: str
    document: str
    address_lines: tuple[str, ...]


def nosso_numero_capacity(bank: str, agreement: str) -> int:
    """Largest sequence number the bank's layout holds for this agreement."""
    return 10 ** bank_for(bank).sequence_digits(agreement) - 1


class BoletoDocumentService:
    def __init__(self, settings, allocate_number, files, clock):
        self._settings = settings
        self._allocate = allocate_number  # (bank, agreement, max_value) -> int
        self._files = files
        self._clock = clock

    def issue(self, *, account_id: str, invoice_id: str, amount_cents: int, due_date: date, payer: Payer,
              description_lines: tuple[str, ...] = (), invoice_number: str | None = None) -> BoletoDocument:
        """invoice_number: printed as the boleto's "Nº do documento", the reference the payer and the
        finance team share; an invoice from before numbering prints the end of its id instead."""
        s = self._settings
        number = self._allocate(s.boleto_bank, s.boleto_agreement or s.boleto_account,
                                nosso_numero_capacity(s.boleto_bank, s.boleto_agreement))
        boleto = build_boleto(bank=s.boleto_bank, agency=s.boleto_agency, account=s.boleto_account,
                              wallet=s.boleto_wallet, agreement=s.boleto_agreement, nosso_numero=str(number),
                              due_date=due_date, amount_cents=amount_cents)
        pix = build_static_pix(s.pix_key, s.beneficiary_name, s.pix_city, amount_cents=amount_cents,
                               txid=_txid(invoice_id, number))
        pdf_key = f"{account_prefix(INVOICE_FILES, account_id)}{invoice_id}/{number}.pdf"
        self._files.put(pdf_key, self._render(boleto, pix, payer, invoice_number or invoice_id, description_lines),
                        "application/pdf")
        return BoletoDocument(nosso_numero=boleto.nosso_numero, barcode=boleto.barcode,
                              digitable_line=boleto.digitable_line, formatted_line=boleto.formatted_line,
                              due_date=due_date, amount_cents=amount_cents, pix_payload=pix, pdf_key=pdf_key)

    def discard(self, pdf_key: str) -> None:
        """Delete the PDF of a boleto whose invoice was never recorded (its transaction failed)."""
        self._files.delete(pdf_key)

    def pdf_link(self, pdf_key: str) -> str:
        filename = pdf_key.rsplit("/", 1)[-1].replace(".pdf", "")
        return self._files.download_link(pdf_key, f"boleto-{filename}.pdf", PDF_LINK_SECONDS).url

    def _render(self, boleto, pix: str, payer: Payer, invoice_label: str, description_lines) -> bytes:
        from chalicelib.adapters.pdf import BoletoPdfData, Party, render_boleto_pdf

        s = self._settings
        today = self._clock.today()
        data = BoletoPdfData(
            bank_name=boleto.bank_name, printed_bank_code=boleto.printed_bank_code, barcode=boleto.barcode,
            formatted_line=boleto.formatted_line, nosso_numero=boleto.nosso_numero,
            beneficiary_code=boleto.beneficiary_code, wallet=boleto.wallet, due_date=boleto.due_date,
            amount_cents=boleto.amount_cents,
            beneficiary=Party(s.beneficiary_name, s.beneficiary_document, (s.beneficiary_address,)),
            payer=Party(payer.name, payer.document, payer.address_lines),
            document_number=invoice_label[-15:], document_date=today, processing_date=today,
            instructions=PDF_INSTRUCTIONS,
            description_lines=(tuple(description_lines)
                               or (f"Fatura {invoice_label}: {format_brl(boleto.amount_cents)}",)),
            pix_payload=pix,
        )
        return render_boleto_pdf(data)


def _txid(invoice_id: str, number: int) -> str:
    # Pix txid: up to 25 letters and digits; the nosso número makes it unique per document.
    letters = "".join(ch for ch in invoice_id if ch.isalnum())
    return (letters[-15:] + str(number))[-25:]


def payer_from_billing_data(billing_data: dict) -> Payer:
    document = billing_data["document"]
    if len(document) == 11:
        printed = f"{document[:3]}.{document[3:6]}.{document[6:9]}-{document[9:]}"
    else:
        printed = f"{document[:2]}.{document[2:5]}.{document[5:8]}/{document[8:12]}-{document[12:]}"
    address = billing_data["address"]
    street = f"{address['street']}, {address['number']}" + (f" - {address['complement']}" if address.get("complement") else "")
    city = f"{address['district']} - {address['city']}/{address['state']} - CEP {address['cep'][:5]}-{address['cep'][5:]}"
    return Payer(billing_data["legal_name"], printed, (street, city))
