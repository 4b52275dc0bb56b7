""""Minhas assinaturas", "Meu Plano", subscribing, plan changes, renewal mode, payment method and
storage."""
from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.licenses import seats_changed
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.subscriptions import (
    CardSummaryOut, ChangeIn, ChangeOut, DiscountOut, LineOut, NextPeriodInvoiceOut, OpenInvoiceOut, OpenInvoicesOut,
    PaymentMethodIn, PixAutomaticoStateOut, PlanOut,
    RenewalIn, RenewalOut, StorageOut, StorageSubscriptionOut, SubscribedOut, SubscribeIn, SubscriptionList,
    SubscriptionOut,
)
from chalicelib.wiring import container

if TYPE_CHECKING:
    from chalicelib.services.subscriptions.views import SubscriptionView

bp = Blueprint(__name__)
SUBSCRIPTIONS = "/v1/accounts/{account_id}/subscriptions"
SUBSCRIPTION = SUBSCRIPTIONS + "/{subscription_id}"
BYTES_PER_GB = 1024 ** 3


def gigabytes(used_bytes: int) -> float:
    return round(used_bytes / BYTES_PER_GB, 2)


def subscription_fields(view: "SubscriptionView") -> dict:
    s = view.subscription
    return dict(
        id=s.subscription_id, product_id=s.product_id, product_name=view.product.name,
        periodicity=s.periodicity, quantity=s.quantity, status=view.status or s.status, trial_end=s.trial_end,
        discount=discount_out(s.discount), current_period_start=s.current_period_start,
        current_period_end=s.current_period_end,
        renewal_mode=s.renewal_mode, auto_renew=s.auto_renew, payment_method=s.payment_method,
        pending_payment_method=s.pending_payment_method,
        pending_payment_method_from=s.current_period_end if s.pending_payment_method else None,
        licenses_used=view.licenses_used, storage_gb=s.storage_gb,
        storage_used_gb=gigabytes(view.storage_used_bytes), next_due_date=view.next_due_date,
    )


def discount_out(discount) -> DiscountOut | None:
    if discount is None:
        return None
    return DiscountOut(coupon=discount.coupon_code, duration=discount.duration, percent_off=discount.percent_off,
                       amount_off_cents=discount.amount_off_cents, duration_months=discount.duration_months,
                       starts=discount.starts, ends=discount.ends)


def plan_fields(view: "SubscriptionView") -> dict:
    renewal = view.renewal
    card = view.card
    invoices = [OpenInvoiceOut(id=i.invoice_id, status=i.status, due_date=i.due_date,
                               total_cents=i.total_cents, payment_method=i.payment_method)
                for i in view.open_invoices]
    return subscription_fields(view) | dict(
        paid_cents=view.subscription.paid_cents,
        next_renewal=RenewalOut(
            period_start=renewal.period.start, period_end=renewal.period.end, due_date=renewal.due_date,
            quantity=renewal.quantity, storage_gb=renewal.storage_gb,
            period_price_cents=renewal.period_price_cents, proration_cents=renewal.proration_cents,
            amount_cents=renewal.amount_cents, discount_cents=view.renewal_discount_cents,
            payment_method=renewal.payment_method) if renewal else None,
        open_invoices=OpenInvoicesOut(count=len(invoices), total_cents=sum(i.total_cents for i in invoices),
                                      items=invoices),
        card=CardSummaryOut(brand=card.brand, last4=card.last4, exp_month=card.exp_month,
                            exp_year=card.exp_year) if card else None,
        account_credit_cents=view.account_credit_cents, boleto_to_card_until=view.boleto_to_card_until,
        pix_automatico=_pix_state(view.pix_recurrence),
    )


def _pix_state(item) -> PixAutomaticoStateOut | None:
    if item is None:
        return None
    return PixAutomaticoStateOut(rec_id=item.rec_id, status=item.status, status_changed_at=item.status_changed_at)


def plan_out(view: "SubscriptionView") -> PlanOut:
    return PlanOut(**plan_fields(view))


def change_out(result, invoice_id: str | None = None) -> ChangeOut:
    plan, order = result.plan, result.order
    return ChangeOut(
        subscription_id=result.subscription_id, product_id=plan.product.id, periodicity=plan.periodicity,
        quantity=plan.quantity, storage_gb=plan.storage_gb, charge_now_cents=result.charge_now_cents,
        credit_cents=result.credit_cents, account_credit_cents=result.account_credit_cents,
        account_credit_applied_cents=order.credit_applied_cents, amount_due_cents=order.total_cents,
        new_period_start=result.new_period.start, new_period_end=result.new_period.end,
        days_granted=result.days_granted, discount_cents=result.discount_cents,
        payment_method=result.order_method,
        make_default=result.make_default, invoice_id=invoice_id,
        lines=[LineOut(**line.__dict__) for line in order.lines],
        voided_invoice_ids=[invoice.invoice_id for invoice in result.voided],
        **_next_period_fields(result),
    )


def _next_period_fields(result) -> dict:
    """A change after the next period's invoice was issued: which one it supersedes, and its replacement."""
    following = result.next_period
    if following is None:
        return {}
    replacement = None
    if following.replaced:
        replacement = NextPeriodInvoiceOut(
            due_date=following.due_date, payment_method=following.payment_method,
            total_cents=following.amounts.total_cents,
            account_credit_applied_cents=following.amounts.credit_applied_cents,
            returned_credit_cents=following.returned_cents,
            lines=[LineOut(**line.__dict__) for line in following.lines])
    return dict(superseded_invoice_id=following.superseded_invoice_id, next_period_invoice=replacement,
                reissued_invoice_id=result.reissued_invoice_id)


def change_request(body: ChangeIn):
    from chalicelib.services.subscriptions.change_terms import ChangeRequest

    return ChangeRequest(**body.model_dump())  # services load with their route, not at cold start


@endpoint(bp, SUBSCRIPTIONS, "GET", access=Access.BILLING, cursor_scope="{account_id}", response=SubscriptionList,
          summary="Minhas assinaturas.", tags=["subscriptions"])
def list_subscriptions(ctx: RequestContext, account_id: str):
    after, limit = ctx.page.after, ctx.page.limit
    views = [v for v in container().subscription_views.list(account_id)
             if after is None or v.subscription.subscription_id > after]
    page = sorted(views, key=lambda v: v.subscription.subscription_id)[:limit + 1]
    more = len(page) > limit
    page = page[:limit]
    return Paged(SubscriptionList(items=[SubscriptionOut(**subscription_fields(v)) for v in page]),
                 page[-1].subscription.subscription_id if more else None)


@endpoint(bp, SUBSCRIPTIONS, "POST", access=Access.PLAN_CHANGE, body=SubscribeIn, response=SubscribedOut,
          status=201, summary="Assina um produto do catálogo; o primeiro período é faturado na hora (ou, com "
          "período de teste, ao fim do teste); aceita um cupom.",
          tags=["subscriptions"])
def subscribe(ctx: RequestContext, account_id: str):
    from chalicelib.services.subscriptions.views import view_of
    from chalicelib.services.subscriptions.subscribing import SubscribeRequest

    services = container()
    request = SubscribeRequest(**ctx.body.model_dump())
    if request.payment_method == "pix_automatico":
        return _subscribed_with_pix(account_id, request, ctx.actor)
    done = services.subscriptions.subscribe(account_id, request, ctx.actor)
    seats_changed(account_id, done.subscription.product_id, ctx.actor)  # license keys follow the seats
    view = view_of(services.catalog, done.snapshot, done.subscription)
    return SubscribedOut(**plan_fields(view), invoice_id=done.invoice_id)


def _subscribed_with_pix(account_id: str, request, actor: str) -> SubscribedOut:
    from chalicelib.api.pix_automatico import authorisation_out

    services = container()
    enrolled = services.pix_enrolment.subscribe(account_id, request, actor)
    done = enrolled.subscribed
    seats_changed(account_id, done.subscription.product_id, actor)
    view = services.subscription_views.plan(account_id, done.subscription.subscription_id)  # with the recurrence
    item = enrolled.authorisation
    return SubscribedOut(**plan_fields(view), invoice_id=done.invoice_id,
                         pix_automatico_authorisation=authorisation_out(item) if item else None,
                         pix_automatico_pending=item is None)


@endpoint(bp, SUBSCRIPTION, "GET", access=Access.BILLING, response=PlanOut,
          summary="Meu Plano: plano, período, licenças, armazenamento, renovação, pagamento e faturas em aberto.",
          tags=["subscriptions"])
def get_subscription(ctx: RequestContext, account_id: str, subscription_id: str):
    return plan_out(container().subscription_views.plan(account_id, subscription_id))


@endpoint(bp, SUBSCRIPTION + "/changes/preview", "POST", access=Access.PLAN_CHANGE, body=ChangeIn,
          response=ChangeOut, summary="O que uma alteração cobrará ou creditará, e a nova data de renovação.",
          tags=["subscriptions"])
def preview_change(ctx: RequestContext, account_id: str, subscription_id: str):
    result = container().plan_changes.preview(account_id, subscription_id, change_request(ctx.body))
    return change_out(result)


@endpoint(bp, SUBSCRIPTION + "/changes", "POST", access=Access.PLAN_CHANGE, body=ChangeIn,
          response=ChangeOut, summary="Aplica uma alteração de plano, periodicidade, licenças ou armazenamento.",
          tags=["subscriptions"])
def apply_change(ctx: RequestContext, account_id: str, subscription_id: str):
    result, invoice_id = container().plan_changes.apply(account_id, subscription_id,
                                                        change_request(ctx.body), ctx.actor)
    seats_changed(account_id, result.plan.product.id, ctx.actor)  # license keys follow the seats
    return change_out(result, invoice_id)


@endpoint(bp, SUBSCRIPTION + "/renewal", "PUT", access=Access.BILLING, body=RenewalIn, response=PlanOut,
          summary="Modo de renovação: todas as licenças ou apenas as ativas.", tags=["subscriptions"])
def put_renewal(ctx: RequestContext, account_id: str, subscription_id: str):
    services = container()
    snapshot = services.renewal_settings.set_renewal_mode(account_id, subscription_id, ctx.body.renewal_mode,
                                                       ctx.actor)
    return plan_from(snapshot, subscription_id)


@endpoint(bp, SUBSCRIPTION + "/payment-method", "PUT", access=Access.BILLING, body=PaymentMethodIn,
          response=PlanOut, summary="Forma de pagamento da assinatura (vale a partir da próxima renovação).",
          tags=["subscriptions"])
def put_payment_method(ctx: RequestContext, account_id: str, subscription_id: str):
    services = container()
    if ctx.body.payment_method == "pix_automatico":
        from chalicelib.api.access import ACCOUNT_ROLES

        # The authorisation names the payer: owner and admin only, as on its own route.
        services.memberships.authorize(ctx.principal, account_id, ACCOUNT_ROLES[Access.PLAN_CHANGE])
        services.pix_enrolment.choose(account_id, subscription_id, ctx.actor)
        return plan_out(services.subscription_views.plan(account_id, subscription_id))
    snapshot = services.renewal_settings.set_payment_method(account_id, subscription_id,
                                                         ctx.body.payment_method, ctx.actor)
    return plan_from(snapshot, subscription_id)


@endpoint(bp, "/v1/accounts/{account_id}/storage", "GET", access=Access.BILLING, response=StorageOut,
          summary="Armazenamento contratado e usado.", tags=["subscriptions"])
def get_storage(ctx: RequestContext, account_id: str):
    storage = container().subscription_views.storage(account_id)
    return StorageOut(storage_gb=storage.purchased_gb, storage_used_gb=gigabytes(storage.used_bytes),
                      storage_used_bytes=storage.used_bytes,
                      subscriptions=[StorageSubscriptionOut(subscription_id=s, product_id=p, storage_gb=gb)
                                     for s, p, gb in storage.by_subscription])


def plan_from(snapshot, subscription_id: str) -> PlanOut:
    from chalicelib.services.subscriptions.views import view_of

    return plan_out(view_of(container().catalog, snapshot, snapshot.subscription(subscription_id)))
