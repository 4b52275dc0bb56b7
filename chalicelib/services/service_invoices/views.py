"""What an invoice's answer shows of its NFS-e: status, number, access key, issue instant, the pt-BR
error while failed, and fresh short-lived links to the authorised XML and the DANFSe (files are never
served through the API: API Gateway mangles binary bodies)."""
from dataclasses import dataclass
from datetime import datetime, timedelta

LINK_SECONDS = 15 * 60


@dataclass(frozen=True)
class ServiceInvoiceView:
    status: str
    number: str | None
    access_key: str | None
    issued_at: datetime | None
    pdf_url: str | None
    xml_url: str | None
    links_expire_at: datetime | None
    error: str | None


class ServiceInvoiceViews:
    def __init__(self, repository, files, clock):
        self._repo = repository
        self._files = files
        self._clock = clock

    def of(self, account_id: str, invoice_id: str) -> ServiceInvoiceView | None:
        """None while the invoice has no NFS-e (not paid yet, or its product has it off)."""
        item = self._repo.get(account_id, invoice_id)
        if item is None:
            return None
        label = item.number or item.invoice_id
        pdf = self._link(item.pdf_key, f"nfse-{label}.pdf")
        xml = self._link(item.xml_key, f"nfse-{label}.xml")
        expires = self._clock.now() + timedelta(seconds=LINK_SECONDS) if (pdf or xml) else None
        return ServiceInvoiceView(status=item.status, number=item.number, access_key=item.access_key,
                                  issued_at=item.issued_at, pdf_url=pdf, xml_url=xml, links_expire_at=expires,
                                  error=item.error)

    def _link(self, key: str | None, filename: str) -> str | None:
        return self._files.download_link(key, filename, LINK_SECONDS).url if key else None


class DevServiceInvoices:
    """The local stage's view of the fake SEFIN: what it received, newest first, each DPS with the
    invoice it declares (found by its DPS id)."""

    def __init__(self, settings, authority, repository):
        self._settings = settings
        self._authority = authority
        self._repo = repository

    def received(self) -> list[dict]:
        from chalicelib.errors import NotFound

        if not self._settings.is_local:  # checked first: another stage never builds its authority here
            raise NotFound("Não há SEFIN local neste estágio.", code="not_found")
        items = []
        for record in self._authority.received():
            item = self._repo.by_dps_id(record["dps_id"])
            items.append({**record, "invoice_id": item.invoice_id if item else None})
        return items
