"""The DPS's values, in plain domain types: the vendor (settings), the customer (the account's billing
data, with its city's IBGE code from the city-code port), the service (catalog) and the amounts the
NFS-e item declares, with the B2B withholdings the vendor enabled.

A customer whose billing data cannot go on a DPS is not an exception: `build` answers the pt-BR
reasons, and the issuer fails the NFS-e with them and asks the finance team."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chalicelib.domain.service_invoice_rules import (
    WithholdingPolicy, document_digits, taker_problems, withholdings_for,
)
from chalicelib.domain.money import format_brl
from chalicelib.domain.service_invoices import Address, DpsData, Provider, TaxRegime, Taker


@dataclass(frozen=True)
class DpsOrProblems:
    dps: DpsData | None
    problems: list[str]


def percent_to_bps(percent: str) -> int:
    """"1.50" -> 150 basis points."""
    return int((Decimal(percent) * 100).to_integral_value())


def provider_of(settings) -> Provider:
    return Provider(cnpj=document_digits(settings.nfse_provider_cnpj), legal_name=settings.nfse_provider_name,
                    municipal_registration=settings.nfse_municipal_registration,
                    ibge_city_code=settings.nfse_city_code, tax_regime=TaxRegime(settings.nfse_tax_regime),
                    iss_rate=settings.nfse_iss_rate, email=settings.email_sender,
                    simples_total_rate=settings.nfse_simples_total_rate)


def withholding_policy_of(settings) -> WithholdingPolicy:
    return WithholdingPolicy(enabled=settings.nfse_withholdings, iss_retained=settings.nfse_iss_retained,
                             irrf_bps=percent_to_bps(settings.nfse_irrf_rate),
                             csll_bps=percent_to_bps(settings.nfse_csll_rate),
                             pis_bps=percent_to_bps(settings.nfse_pis_rate),
                             cofins_bps=percent_to_bps(settings.nfse_cofins_rate))


class DpsBuilder:
    def __init__(self, settings, catalog, city_codes):
        """`city_codes(city, state) -> str | None`: the 7-digit IBGE code of a city, from a maintained
        table shipped with the adapter (no network)."""
        self._provider = provider_of(settings)
        self._policy = withholding_policy_of(settings)
        self._catalog = catalog
        self._city_codes = city_codes

    def build(self, item, invoice, account, issued_at, substitutes: str | None = None) -> DpsOrProblems:
        billing = account.billing_data.as_dict() if account and account.billing_data else {}
        problems = taker_problems(billing) if billing else ["a conta não tem dados de faturamento"]
        if problems:
            return DpsOrProblems(None, problems)
        address = billing["address"]
        city_code = self._city_codes(address["city"].strip(), address["state"].strip().upper())
        if not city_code:
            return DpsOrProblems(None, [f"a cidade {address['city']}/{address['state']} não consta na tabela "
                                        "de municípios do IBGE (confira a grafia)"])
        document = document_digits(billing["document"])
        taker = Taker(document=document, name=" ".join(billing["legal_name"].split()),
                      address=Address(street=address["street"].strip(), number=address["number"].strip(),
                                      district=address["district"].strip(), ibge_city_code=city_code,
                                      cep=document_digits(address["cep"]).replace("-", ""),
                                      complement=(address.get("complement") or "").strip()),
                      email=next(iter(billing.get("billing_emails") or []), ""))
        service, discount = self._amounts(item)
        product = self._catalog.product(item.product_id)
        return DpsOrProblems(DpsData(
            provider=self._provider, taker=taker, series=item.dps_series, number=int(item.dps_number),
            issued_at=issued_at, competence=date.fromisoformat(item.paid_on),
            national_service_code=product.national_service_code,
            service_description=f"{product.service_description}. Fatura {invoice.label}.",
            service_amount_cents=service, discount_cents=discount,
            withholdings=withholdings_for(service - discount, len(document) == 14, self._provider.tax_regime,
                                          self._policy),
            substitutes_access_key=substitutes, invoice_id=invoice.invoice_id,
            substitution_reason=(f"Estorno parcial da fatura {invoice.label}: o valor do serviço passou a "
                                 f"{format_brl(service - discount)}." if substitutes else ""),
        ), [])

    @staticmethod
    def _amounts(item) -> tuple[int, int]:
        """(service value, unconditional discount). After a partial refund the substitute keeps the
        service's value and declares what was refunded as a discount: a substitute NFS-e of a Simples or
        MEI provider may not change the service value (national rule E0061), and the net is the same."""
        service, discount = int(item.service_cents), int(item.discount_cents or 0)
        if item.kept_cents is not None:
            return service, service - int(item.kept_cents)
        return service, discount

