"""Subscriptions, "Meu Plano", plan changes and storage."""
from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.api.schemas.common import ApiModel, RequestModel, SingleLineText
from chalicelib.api.schemas.pix_automatico import PixAutomaticoOut
from chalicelib.domain.enums import Periodicity, RenewalMode

SubscriptionPaymentMethod = Literal["card", "boleto"]  # what pays an order now
# What pays the renewals: Pix Automático too, once the customer's bank approves its authorisation.
RenewalPaymentMethod = Literal["card", "boleto", "pix_automatico"]
ShownStatus = Literal["trialing", "active", "past_due", "suspended", "pending_cancellation", "cancelled"]
Currency = Literal["BRL"]
MAX_LICENSES = 10_000
MAX_STORAGE_GB = 100_000


class SubscribeIn(RequestModel):
    product_id: SingleLineText = Field(min_length=1, max_length=50)
    periodicity: Periodicity
    quantity: int = Field(1, ge=1, le=MAX_LICENSES, description="Licenças (1 em produtos de preço fixo).")
    storage_gb: int = Field(0, ge=0, le=MAX_STORAGE_GB, description="GB de armazenamento adicional.")
    payment_method: RenewalPaymentMethod | None = Field(
        None, description="Padrão: a forma de pagamento padrão da conta, ou cartão. pix_automatico: a primeira "
                          "fatura sai por boleto e a resposta traz a autorização do Pix Automático, cujo QR "
                          "composto paga essa fatura e autoriza as renovações (jornada 3).")
    coupon: SingleLineText | None = Field(None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                                          description="Código de cupom de desconto (maiúsculas ou minúsculas).")
    trial: bool | None = Field(
        None, description="Período de teste: padrão, o teste quando o produto o oferece (uma vez por conta e "
                          "produto); false assina já pagando; true exige o teste.")


class ChangeIn(RequestModel):
    """Preview and change take the same body: what changes, and how this order is paid."""

    product_id: SingleLineText | None = Field(None, min_length=1, max_length=50)
    periodicity: Periodicity | None = None
    quantity: int | None = Field(None, ge=1, le=MAX_LICENSES, description="Total de licenças após a alteração.")
    storage_gb: int | None = Field(None, ge=0, le=MAX_STORAGE_GB, description="Total de GB após a alteração.")
    payment_method: SubscriptionPaymentMethod | None = Field(None, description="Forma de pagamento deste pedido.")
    make_default: bool = Field(False, description="Tornar esta a forma de pagamento padrão.")

    @model_validator(mode="after")
    def _something_changes(self) -> "ChangeIn":
        if all(v is None for v in (self.product_id, self.periodicity, self.quantity, self.storage_gb)):
            raise ValueError("Informe product_id, periodicity, quantity ou storage_gb.")
        if self.make_default and self.payment_method is None:
            raise ValueError("Para tornar padrão, informe payment_method.")
        return self


class RenewalIn(RequestModel):
    renewal_mode: RenewalMode


class PaymentMethodIn(RequestModel):
    payment_method: RenewalPaymentMethod = Field(
        description="pix_automatico: cria a autorização (QR em GET .../pix-automatico); as renovações passam ao "
                    "Pix Automático quando o banco do cliente aprovar.")


class LineOut(ApiModel):
    description: str
    amount_cents: int
    kind: str
    subscription_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None


class RenewalOut(ApiModel):
    """What the next renewal will bill."""

    period_start: date
    period_end: date
    due_date: date
    quantity: int
    storage_gb: int
    period_price_cents: int
    proration_cents: int = Field(description="Ajuste por mudança do dia de vencimento (negativo: desconto).")
    amount_cents: int
    discount_cents: int = Field(0, description="Desconto de cupom que a renovação terá (linha `discount`).")
    payment_method: str
    currency: Currency = "BRL"


class DiscountOut(ApiModel):
    """O cupom aplicado à assinatura e os períodos que ele cobre."""

    coupon: str
    duration: Literal["once", "repeating", "forever"]
    percent_off: int | None = None
    amount_off_cents: int | None = None
    duration_months: int | None = None
    starts: date = Field(description="Início do primeiro período com desconto.")
    ends: date | None = Field(None, description="Períodos que começam a partir desta data não têm desconto "
                                                "(ausente: para sempre).")


class OpenInvoiceOut(ApiModel):
    id: str
    status: str
    due_date: date
    total_cents: int
    payment_method: str


class OpenInvoicesOut(ApiModel):
    count: int
    total_cents: int
    items: list[OpenInvoiceOut]
    currency: Currency = "BRL"


class CardSummaryOut(ApiModel):
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class SubscriptionOut(ApiModel):
    id: str
    product_id: str
    product_name: str
    periodicity: Periodicity
    quantity: int = Field(description="Licenças contratadas.")
    status: ShownStatus = Field(description="`trialing` durante o período de teste (até o primeiro período "
                                            "ser pago).")
    trial_end: date | None = Field(None, description="Fim do período de teste: o primeiro período pago começa "
                                                     "nesta data.")
    discount: DiscountOut | None = None
    current_period_start: date
    current_period_end: date
    renewal_mode: RenewalMode
    auto_renew: bool
    payment_method: str
    pending_payment_method: str | None = Field(None, description="Vale a partir da próxima renovação.")
    pending_payment_method_from: date | None = None
    licenses_used: int = Field(description="Membros ativos da conta.")
    storage_gb: int = Field(description="GB contratados.")
    storage_used_gb: float
    next_due_date: date | None = None


class PixAutomaticoStateOut(ApiModel):
    rec_id: str
    status: Literal["CRIADA", "APROVADA", "REJEITADA", "EXPIRADA", "CANCELADA"] = Field(
        description="CRIADA: aguardando o pagador aprovar no app do banco; APROVADA: as renovações passam ao Pix "
                    "Automático; REJEITADA, EXPIRADA, CANCELADA: encerrada (um novo pedido pode ser feito).")
    status_changed_at: datetime | None = None


class PlanOut(SubscriptionOut):
    """"Meu Plano"."""

    paid_cents: int = Field(description="Pago pelo período atual.")
    next_renewal: RenewalOut | None = None
    open_invoices: OpenInvoicesOut
    card: CardSummaryOut | None = None
    account_credit_cents: int
    boleto_to_card_until: date | None = Field(
        None, description="Último dia para trocar de boleto para cartão nesta renovação.")
    pix_automatico: PixAutomaticoStateOut | None = Field(
        None, description="A autorização de Pix Automático da assinatura, quando houver (o QR em GET "
                          ".../pix-automatico).")
    currency: Currency = "BRL"


class SubscriptionList(ApiModel):
    items: list[SubscriptionOut]
    next_cursor: str | None = None


class SubscribedOut(PlanOut):
    invoice_id: str | None = Field(None, description="Fatura do primeiro período (ausente no período de teste).")
    pix_automatico_authorisation: PixAutomaticoOut | None = Field(
        None, description="Assinando com pix_automatico: a autorização criada, com o QR para o app do banco.")
    pix_automatico_pending: bool = Field(
        False, description="Assinando com pix_automatico, o PSP não respondeu: a assinatura foi criada (paga por "
                           "boleto) e a autorização pode ser pedida de novo em Meu Plano.")



class NextPeriodInvoiceOut(ApiModel):
    due_date: date
    payment_method: str
    total_cents: int
    account_credit_applied_cents: int
    returned_credit_cents: int = Field(description="Crédito e pagamentos da fatura substituída devolvidos ao crédito da conta.")
    lines: list[LineOut]


class ChangeOut(ApiModel):
    subscription_id: str
    product_id: str
    periodicity: Periodicity
    quantity: int
    storage_gb: int
    charge_now_cents: int = Field(description="Cobrado agora pela alteração (antes do crédito da conta).")
    credit_cents: int = Field(description="Parte não usada do que foi pago pelo período atual.")
    account_credit_cents: int = Field(description="Centavos do crédito que viram crédito da conta.")
    account_credit_applied_cents: int = Field(description="Crédito da conta usado neste pedido.")
    amount_due_cents: int = Field(description="Valor da fatura deste pedido.")
    new_period_start: date
    new_period_end: date = Field(description="Nova data de renovação.")
    days_granted: int
    discount_cents: int = Field(0, description="Desconto de cupom no primeiro período do novo plano (já incluído "
                                               "em charge_now_cents, linha `discount`).")
    payment_method: str
    make_default: bool
    lines: list[LineOut]
    invoice_id: str | None = None
    superseded_invoice_id: str | None = Field(
        None, description="Fatura já emitida do próximo período, ainda não paga, que a alteração substitui.")
    next_period_invoice: NextPeriodInvoiceOut | None = Field(
        None, description="A fatura que substitui a anterior (mesmo vencimento), quando resta algo a cobrar nela.")
    reissued_invoice_id: str | None = Field(None, description="Id da fatura que substitui a anterior (só na alteração).")
    voided_invoice_ids: list[str] = Field(
        default_factory=list, description="Faturas em aberto do período atual, não pagas, que a alteração de plano "
        "cancela (não geram crédito) ou substitui pela fatura da alteração.")
    currency: Currency = "BRL"



class StorageSubscriptionOut(ApiModel):
    subscription_id: str
    product_id: str
    storage_gb: int


class StorageOut(ApiModel):
    storage_gb: int = Field(description="GB contratados.")
    storage_used_gb: float
    storage_used_bytes: int
    subscriptions: list[StorageSubscriptionOut]


class UsageIn(RequestModel):
    storage_used_bytes: int = Field(ge=0, le=10 ** 18)


class UsageOut(ApiModel):
    account_id: str
    storage_used_bytes: int
    storage_used_gb: float
