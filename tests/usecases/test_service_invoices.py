"""NFS-e on the fakes (docs/service-invoices.md): one NFS-e per paid invoice of an `on_payment` product,
never two — across webhook replays, job reruns, a crash between the SEFIN's answer and our write, a
timeout after the SEFIN accepted, two workers at once —; failures that need a person become a finance
request; a refund cancels the NFS-e, a partial one substitutes it."""
import pytest

from chalicelib.jobs.registry import run_job
from chalicelib.services.service_invoices.issuer import LEASE
from chalicelib.store.accounts import AccountItem
from chalicelib.store.base import account_pk
from chalicelib.store.accounts import ACCOUNT_SK
from tests.fakes.world import BILLING_DATA
from tests.usecases.steps import OWNER, PROMOB, incoming, pay, subscribe

PRICE = 19900  # Promob Studio, one license, monthly
FINANCE = "financeiro@renova.local"


def paid_invoice(world, product_id: str = PROMOB, account_id: str | None = None):
    account_id = account_id or world.account()
    done = subscribe(world, account_id, product_id=product_id)
    pay(world, account_id, done.invoice_id, key=f"evt-{done.invoice_id}")
    return account_id, done.invoice_id


def nfse(world, account_id, invoice_id):
    return world.service_invoice_repository.get(account_id, invoice_id)


def run(world) -> dict:
    return world.service_invoice_issuer.run_due()


def set_billing(world, account_id: str, **changes) -> None:
    item = world.store.billing.get(account_pk(account_id), ACCOUNT_SK, AccountItem)
    item.billing_data = {**BILLING_DATA, **changes}
    tx = world.store.transaction()
    tx.save(item)
    tx.commit()


def requests_opened(world, account_id):
    items, _ = world.request_repository.list(account_id, 10, None)
    return items


# --- when --------------------------------------------------------------------------------------
def test_a_paid_invoice_of_an_on_payment_product_gets_one_nfse(world):
    account_id, invoice_id = paid_invoice(world)
    assert nfse(world, account_id, invoice_id).status == "pending"
    assert world.service_invoice_views.of(account_id, invoice_id).status == "pending"
    summary = run_job("issue-service-invoices", world, world.today())
    assert summary["processed"] == 1 and summary["issued"] == 1
    item = nfse(world, account_id, invoice_id)
    assert (item.status, item.number, len(item.access_key)) == ("issued", "1", 50)
    assert world.files.get(item.xml_key) == world.service_invoice_authority.live()[0].xml
    assert world.files.get(item.pdf_key).startswith(b"%PDF")
    view = world.service_invoice_views.of(account_id, invoice_id)
    assert view.pdf_url and view.xml_url and view.error is None and view.links_expire_at > world.clock.now()
    assert "service_invoice.issued" in world.events.types()
    [email] = [s.email for s in world.mailer.sent if s.template == "service_invoice_issued"]
    assert "financeiro@exemplo.com.br" in email.to and item.access_key in email.text
    assert f"/contas/{account_id}/faturas/{invoice_id}" in email.text


def test_a_product_with_service_invoices_off_gets_none(world):
    catalog = world.catalog
    products = [p.model_copy(update={"service_invoice": "off"}) if p.id == PROMOB else p for p in catalog.products]
    world.__dict__["catalog"] = catalog.model_copy(update={"products": products})
    account_id, invoice_id = paid_invoice(world)
    assert world.invoice_reads.get(account_id, invoice_id).status == "paid"
    assert nfse(world, account_id, invoice_id) is None
    assert world.service_invoice_views.of(account_id, invoice_id) is None
    assert run(world)["processed"] == 0 and world.service_invoice_authority.calls == []


def test_a_partly_paid_invoice_gets_its_nfse_only_once_fully_paid(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    pay(world, account_id, done.invoice_id, key="evt-1", amount_cents=9900)
    assert nfse(world, account_id, done.invoice_id) is None
    assert run(world)["processed"] == 0
    pay(world, account_id, done.invoice_id, key="evt-2")
    run(world)
    item = nfse(world, account_id, done.invoice_id)
    assert item.status == "issued"
    assert world.service_invoice_authority.dps[item.dps_id].service_amount_cents == PRICE


def test_issued_right_after_payment_when_the_stage_asks_for_it(world):
    world.__dict__["service_invoice_due"] = world.service_invoice_issuer.process
    account_id, invoice_id = paid_invoice(world)
    assert nfse(world, account_id, invoice_id).status == "issued"
    assert run(world)["processed"] == 0  # nothing left for the job


def test_a_sefin_away_after_payment_leaves_the_payment_recorded_and_the_nfse_to_the_job(world):
    world.__dict__["service_invoice_due"] = world.service_invoice_issuer.process
    world.service_invoice_authority.down = True
    account_id, invoice_id = paid_invoice(world)
    assert world.invoice_reads.get(account_id, invoice_id).status == "paid"
    assert nfse(world, account_id, invoice_id).status == "pending"
    world.service_invoice_authority.down = False
    world.clock.advance(minutes=5)
    assert run(world)["issued"] == 1


# --- exactly once ------------------------------------------------------------------------------
def test_webhook_replays_and_job_reruns_never_make_a_second_nfse(world):
    account_id, invoice_id = paid_invoice(world)
    for _ in range(3):
        world.settlement.settle(incoming(world, invoice_id, PRICE, key=f"evt-{invoice_id}"))
    run(world)
    for _ in range(3):
        assert run(world)["processed"] == 0
        assert world.service_invoice_issuer.process(account_id, invoice_id) == "nothing"
    sefin = world.service_invoice_authority
    assert sefin.issued == 1 and sefin.calls.count("issue") == 1
    assert world.mailer.templates(account_id).count("service_invoice_issued") == 1


def test_a_crash_between_the_sefins_answer_and_our_write_is_found_by_dps_id(world):
    account_id, invoice_id = paid_invoice(world)
    real_put = world.files.put

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("the process died")

    world.files.put = crash
    with pytest.raises(KeyboardInterrupt):
        run(world)
    world.files.put = real_put
    assert nfse(world, account_id, invoice_id).status == "pending"
    assert run(world)["processed"] == 1 and nfse(world, account_id, invoice_id).status == "pending"  # leased
    world.clock.advance(minutes=LEASE.total_seconds() // 60 + 1)
    assert run(world)["issued"] == 1
    sefin = world.service_invoice_authority
    assert sefin.issued == 1 and sefin.calls.count("issue") == 1 and "find_by_dps" in sefin.calls
    assert nfse(world, account_id, invoice_id).access_key == sefin.live()[0].access_key


def test_a_timeout_after_the_sefin_accepted_is_found_by_dps_id_before_sending_again(world):
    account_id, invoice_id = paid_invoice(world)
    sefin = world.service_invoice_authority
    sefin.timeout_after_accept = True
    assert run(world)["retry"] == 1
    assert nfse(world, account_id, invoice_id).status == "pending"
    world.clock.advance(minutes=5)
    assert run(world)["issued"] == 1
    assert sefin.issued == 1 and sefin.calls.count("issue") == 1
    assert sefin.calls[-1] == "find_by_dps"


def test_an_unreachable_sefin_is_retried_with_a_growing_backoff(world):
    account_id, invoice_id = paid_invoice(world)
    sefin = world.service_invoice_authority
    sefin.down = True
    assert run(world)["retry"] == 1
    assert run(world)["processed"] == 0  # not due before 5 minutes
    world.clock.advance(minutes=5)
    assert run(world)["retry"] == 1
    world.clock.advance(minutes=9)
    assert run(world)["processed"] == 0  # the second wait is 10 minutes
    world.clock.advance(minutes=1)
    sefin.down = False
    assert run(world)["issued"] == 1
    item = nfse(world, account_id, invoice_id)
    assert (item.status, item.attempts, item.error) == ("issued", 0, None)


def test_a_second_worker_on_the_same_invoice_does_not_send(world):
    account_id, invoice_id = paid_invoice(world)
    sefin = world.service_invoice_authority
    issue, inner = sefin.issue, []

    def issue_while_another_worker_tries(signed):
        inner.append(world.service_invoice_issuer.process(account_id, invoice_id))
        return issue(signed)

    sefin.issue = issue_while_another_worker_tries
    assert world.service_invoice_issuer.process(account_id, invoice_id) == "issued"
    assert inner == ["busy"] and sefin.issued == 1


def test_the_dps_number_is_allocated_once_and_kept_across_attempts(world):
    account_id, invoice_id = paid_invoice(world)
    world.service_invoice_authority.down = True
    run(world)
    first = nfse(world, account_id, invoice_id).dps_number
    world.service_invoice_authority.down = False
    world.clock.advance(minutes=5)
    run(world)
    item = nfse(world, account_id, invoice_id)
    assert item.dps_number == first and world.service_invoice_repository.dps_numbers_taken == 1


# --- failures ----------------------------------------------------------------------------------
def test_a_rejection_fails_with_the_sefins_reason_asks_finance_and_retries_daily(world):
    account_id, invoice_id = paid_invoice(world)
    sefin = world.service_invoice_authority
    sefin.reject_next("E0312", "Código de tributação nacional inexistente para o município.")
    assert run(world)["failed"] == 1
    item = nfse(world, account_id, invoice_id)
    assert item.status == "failed" and "Código de tributação nacional inexistente" in item.error
    assert world.service_invoice_views.of(account_id, invoice_id).error == item.error
    [request] = requests_opened(world, account_id)
    assert (request.request_type, request.status, request.opened_by) == ("nota_fiscal", "open",
                                                                         "system:service-invoices")
    assert "E0312" in request.text
    [opened] = [s.email for s in world.mailer.sent if s.template == "request_opened"]
    assert opened.to == (FINANCE,)
    assert "service_invoice.failed" in world.events.types()
    assert world.request_repository.by_status("open", 10, None)[0][0].request_id == request.request_id
    # The same refusal the next day: no second request; fixed later, issued.
    sefin.reject_next("E0312", "Código de tributação nacional inexistente para o município.")
    world.clock.advance(days=1)
    assert run(world)["failed"] == 1 and len(requests_opened(world, account_id)) == 1
    world.clock.advance(days=1)
    assert run(world)["issued"] == 1
    assert nfse(world, account_id, invoice_id).error is None


def test_billing_data_that_cannot_go_on_a_dps_fails_without_calling_the_sefin(world):
    account_id = world.account()
    set_billing(world, account_id, document="11.111.111/1111-11")
    _, invoice_id = paid_invoice(world, account_id=account_id)
    assert run(world)["failed"] == 1
    item = nfse(world, account_id, invoice_id)
    assert item.error.startswith("Dados de cobrança incompletos para a NFS-e: o CPF ou CNPJ é inválido")
    assert "issue" not in world.service_invoice_authority.calls
    assert len(requests_opened(world, account_id)) == 1
    set_billing(world, account_id, document="52998224725")
    world.clock.advance(days=1)
    assert run(world)["issued"] == 1


def test_an_unknown_city_is_a_billing_data_failure(world):
    account_id = world.account()
    set_billing(world, account_id, address={**BILLING_DATA["address"], "city": "Cidade Que Não Existe"})
    _, invoice_id = paid_invoice(world, account_id=account_id)
    run(world)
    assert "não consta na tabela de municípios do IBGE" in nfse(world, account_id, invoice_id).error


# --- refunds -----------------------------------------------------------------------------------
def _withdraw(world, account_id):
    subscription = world.billing_repository.snapshot(account_id).subscriptions[0]
    return world.cancellations.cancel(account_id, subscription.subscription_id, "Desisti", actor=OWNER)


def test_a_full_refund_cancels_the_nfse_with_the_cancellation_event(world):
    account_id, invoice_id = paid_invoice(world)
    run(world)
    key = nfse(world, account_id, invoice_id).access_key
    world.clock.advance(days=2)
    _withdraw(world, account_id)
    assert nfse(world, account_id, invoice_id).action == "cancel"  # marked with the refund
    assert run(world)["cancelled"] == 1
    item = nfse(world, account_id, invoice_id)
    assert (item.status, item.access_key) == ("cancelled", key)
    event = world.service_invoice_authority.cancelled[key]
    assert event.code == "e101101"
    assert "service_invoice.cancelled" in world.events.types()
    assert world.service_invoice_views.of(account_id, invoice_id).status == "cancelled"


def test_a_refund_before_the_nfse_was_issued_cancels_it_without_the_sefin(world):
    account_id, invoice_id = paid_invoice(world)
    _withdraw(world, account_id)
    assert run(world)["cancelled"] == 1
    assert nfse(world, account_id, invoice_id).status == "cancelled"
    assert world.service_invoice_authority.calls == []


def test_a_partial_refund_substitutes_the_nfse_with_the_amount_kept(world):
    account_id = world.account()
    done = subscribe(world, account_id)
    first = pay(world, account_id, done.invoice_id, key="evt-1", amount_cents=5000)
    pay(world, account_id, done.invoice_id, key="evt-2")
    run(world)
    old = nfse(world, account_id, done.invoice_id)
    world.refunds.refund_payment(account_id, first.payment.payment_id, "Desconto negociado", actor="fin-1")
    assert run(world)["substituted"] == 1
    item = nfse(world, account_id, done.invoice_id)
    sefin = world.service_invoice_authority
    dps = sefin.dps[item.dps_id]
    # The service's value stays (a Simples provider's substitute may not change it); the refund is a discount.
    assert (dps.substitutes_access_key, dps.service_amount_cents, dps.discount_cents) == (old.access_key,
                                                                                       PRICE, 5000)
    assert item.status == "issued" and item.access_key != old.access_key and item.replaced_keys == [old.access_key]
    assert item.dps_number != old.dps_number
    assert sefin.cancelled[old.access_key].code == "e105102"
    assert [n.access_key for n in sefin.live()] == [item.access_key]


def test_a_refused_cancellation_becomes_a_finance_request_with_the_reason(world):
    account_id, invoice_id = paid_invoice(world)
    run(world)
    world.service_invoice_authority.reject_cancellation(
        "E0830", "Prazo para cancelamento da NFS-e esgotado para o município.")
    _withdraw(world, account_id)
    assert run(world)["cancel_rejected"] == 1
    item = nfse(world, account_id, invoice_id)
    assert item.status == "issued" and "Prazo para cancelamento" in item.error
    [request] = requests_opened(world, account_id)
    assert "E0830" in request.text and "Prazo para cancelamento" in request.text
    assert run(world)["processed"] == 0  # a person takes it from here


# --- the DPS -----------------------------------------------------------------------------------
def _with_settings(world, **changes):
    world.__dict__["settings"] = world.settings.model_copy(update=changes)


def _coupon_invoice(world, account_id):
    from chalicelib.domain.enums import Periodicity
    from chalicelib.services.subscriptions.coupons import NewCoupon
    from chalicelib.services.subscriptions.subscribing import SubscribeRequest

    world.coupons.create(NewCoupon(code="PROMO20", duration="once", percent_off=20), actor="fin-1")
    done = world.subscriptions.subscribe(account_id, SubscribeRequest(
        PROMOB, Periodicity.ANNUAL, quantity=10, payment_method="boleto", coupon="PROMO20"), actor=OWNER)
    pay(world, account_id, done.invoice_id)
    run(world)
    item = nfse(world, account_id, done.invoice_id)
    return world.service_invoice_authority.dps[item.dps_id], world.invoice_reads.get(account_id, done.invoice_id)


def test_the_dps_of_a_company_with_withholdings_enabled(world):
    _with_settings(world, nfse_withholdings=True, nfse_iss_retained=True, nfse_tax_regime="not_simples")
    account_id = world.account()
    dps, invoice = _coupon_invoice(world, account_id)
    discount = -sum(line.amount_cents for line in invoice.lines if line.kind == "discount")
    service = sum(line.amount_cents for line in invoice.lines if line.amount_cents > 0)
    assert discount > 0 and (dps.service_amount_cents, dps.discount_cents) == (service, discount)
    net = service - discount
    assert dps.net_amount_cents == invoice.total_cents == net
    w = dps.withholdings
    assert w.iss_retained and (w.irrf_cents, w.csll_cents, w.pis_cents, w.cofins_cents) == (
        round(net * 0.015), round(net * 0.01), round(net * 0.0065), round(net * 0.03))
    assert dps.taker.document == "11222333000181" and dps.taker.address.ibge_city_code == "4302105"
    assert (dps.provider.cnpj, dps.provider.ibge_city_code) == ("45723174000110", "4305108")
    assert dps.national_service_code == "010501" and invoice.label in dps.service_description
    assert dps.competence == world.today()


def test_the_dps_of_a_person_carries_no_withholdings(world):
    _with_settings(world, nfse_withholdings=True, nfse_iss_retained=True, nfse_tax_regime="not_simples")
    account_id = world.account()
    set_billing(world, account_id, legal_name="Maria da Silva", document="529.982.247-25")
    dps, invoice = _coupon_invoice(world, account_id)
    assert dps.taker.document == "52998224725" and dps.taker.name == "Maria da Silva"
    assert not dps.withholdings.any and dps.discount_cents > 0


def test_a_simples_nacional_provider_suffers_only_the_iss_withholding(world):
    _with_settings(world, nfse_withholdings=True, nfse_iss_retained=True, nfse_tax_regime="simples")
    dps, _ = _coupon_invoice(world, world.account())
    w = dps.withholdings
    assert w.iss_retained and (w.irrf_cents, w.csll_cents, w.pis_cents, w.cofins_cents) == (0, 0, 0, 0)


def test_an_nfse_notice_a_crash_left_is_sent_by_the_next_run(world):
    account_id, invoice_id = paid_invoice(world)
    notices = world.service_invoice_notices
    real = notices.issued

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("the process died")

    notices.issued = crash
    with pytest.raises(KeyboardInterrupt):
        run(world)
    notices.issued = real
    assert nfse(world, account_id, invoice_id).notice_pending == "issued"
    world.clock.advance(minutes=LEASE.total_seconds() // 60 + 1)
    run(world)
    item = nfse(world, account_id, invoice_id)
    assert item.notice_pending is None and not item.scheduled
    assert world.mailer.templates(account_id).count("service_invoice_issued") == 1
    assert world.service_invoice_authority.issued == 1


def test_the_audit_trail_records_the_nfse(world):
    account_id, invoice_id = paid_invoice(world)
    run(world)
    from chalicelib.store.audit import AuditItem, audit_pk

    actions = [item.action for item in world.store.billing.query(audit_pk(account_id), model=AuditItem)]
    assert "service_invoice.issued" in actions

