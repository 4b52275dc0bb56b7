"""Service invoices (NFS-e Nacional): what a DPS says, in plain values, and the rules around it.

The DPS (Declaração de Prestação de Serviço) is the document the provider signs and sends to the
SEFIN Nacional; the NFS-e is what the SEFIN gives back. These values carry everything the layout
needs, already decided by the use case (which invoice, which amounts, which withholdings); the
adapter (chalicelib.adapters.service_invoices) turns them into the national layout's XML."""
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ServiceInvoiceStatus(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    FAILED = "failed"
    CANCELLED = "cancelled"


class TaxRegime(StrEnum):
    """The provider's regime as the layout's `regTrib` group knows it (opSimpNac)."""
    NOT_SIMPLES = "not_simples"  # 1: não optante
    MEI = "mei"  # 2: MEI
    SIMPLES = "simples"  # 3: ME/EPP optante do Simples Nacional


@dataclass(frozen=True)
class Address:
    street: str
    number: str
    district: str
    ibge_city_code: str  # 7 digits
    cep: str  # 8 digits
    complement: str = ""


@dataclass(frozen=True)
class Provider:
    """The vendor (prestador), from settings."""
    cnpj: str  # 14 digits
    legal_name: str
    municipal_registration: str
    ibge_city_code: str
    tax_regime: TaxRegime
    iss_rate: str  # percent as a decimal string, e.g. "2.00"
    email: str = ""
    phone: str = ""
    # pTotTribSN: the approximate total tax rate of a Simples Nacional ME/EPP (its effective Simples
    # rate, percent as a decimal string, e.g. "6.00"); the layout requires it for regime `simples`
    # (Lei 12.741/2012; rule E0712 refuses the "not informed" choice to ME/EPP).
    simples_total_rate: str = ""


@dataclass(frozen=True)
class Taker:
    """The customer (tomador), from the account's billing data. `document` is a CPF (11 digits)
    or a CNPJ (14 digits)."""
    document: str
    name: str
    address: Address | None
    email: str = ""


@dataclass(frozen=True)
class Withholdings:
    """B2B withholdings the taker retains (only for a CNPJ taker, only when the vendor enables them).
    Amounts in centavos; zero means not withheld."""
    iss_retained: bool = False
    irrf_cents: int = 0
    csll_cents: int = 0
    pis_cents: int = 0
    cofins_cents: int = 0

    @property
    def any(self) -> bool:
        return self.iss_retained or any((self.irrf_cents, self.csll_cents, self.pis_cents,
                                         self.cofins_cents))


@dataclass(frozen=True)
class DpsData:
    """One DPS: the invoice it declares, numbered once per invoice (`series` + `number` never reused),
    so a re-send after a timeout carries the same DPS id."""
    provider: Provider
    taker: Taker
    series: str  # up to 5 digits
    number: int  # nDPS, 1..999999999999999
    issued_at: datetime  # dhEmi, with its offset (America/Sao_Paulo)
    competence: date  # dCompet: the day the service was provided (the payment's day)
    national_service_code: str  # cTribNac: 6 digits, LC 116 item + subitem + detail
    service_description: str  # xDescServ
    service_amount_cents: int  # vServ: the invoice's services before discounts
    discount_cents: int = 0  # vDescIncond: unconditional discounts (coupons) and credits applied
    withholdings: Withholdings = field(default_factory=Withholdings)
    substitutes_access_key: str | None = None  # chSubstda: this DPS replaces that NFS-e
    substitution_reason: str = ""  # xMotivo: 15 to 255 characters
    substitution_code: str = "99"  # cMotivo (TSCodJustSubst): 99 = outros, with xMotivo
    invoice_id: str = ""  # Renova's invoice, written in serv/infoCompl/xInfComp as "Fatura <id>"

    @property
    def net_amount_cents(self) -> int:
        return self.service_amount_cents - self.discount_cents


@dataclass(frozen=True)
class SignedDps:
    dps_id: str  # the infDPS Id attribute: "DPS" + 42 digits
    xml: bytes  # signed, UTF-8


@dataclass(frozen=True)
class IssuedNfse:
    """The SEFIN's answer for an authorised DPS."""
    access_key: str  # 50 digits
    number: str  # nNFSe
    issued_at: datetime
    xml: bytes  # the NFS-e as authorised, signed by the SEFIN
    dps_id: str


@dataclass(frozen=True)
class NfseEvent:
    """An event registered on an NFS-e (cancellation e101101, substitution e105102)."""
    access_key: str
    code: str
    registered_at: datetime
    xml: bytes
