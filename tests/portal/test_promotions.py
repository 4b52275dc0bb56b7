"""Trials and coupons in the portal (docs/promotions.md), in Chromium against the local stack: the demo
catalog's `operand-start` (14 days' trial) and the demo coupon BEMVINDO20 (20% for 3 months,
scripts/seed_demo.py)."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.portal.conftest import Customer, check_page

pytestmark = pytest.mark.stack


def test_a_trial_then_a_coupon_shown_on_meu_plano_and_on_the_change_preview(portal, api):
    customer = Customer(api, "Loja em Teste")
    page = portal.open(f"/contas/{customer.account_id}/assinaturas", token=customer.token, heading="Minhas assinaturas")
    portal.settle()
    page.get_by_label("Plano", exact=True).select_option("operand-start")
    page.get_by_label("Licenças", exact=True).fill("2")
    page.get_by_role("button", name="Assinar", exact=True).click()
    trial_end = api.today() + timedelta(days=14)
    expect(page.get_by_text(f"período de teste até {trial_end:%d/%m/%Y}, sem cobrança até lá")).to_be_visible()

    page.get_by_role("link", name=re.compile("^Meu Plano: Operand Start")).click()
    portal.expect_heading("Meu Plano")
    portal.settle()
    expect(page.locator("[data-valor=teste]")).to_have_text(f"Período de teste até {trial_end:%d/%m/%Y}")
    expect(page.locator("[data-status=trialing]")).to_have_text("Em teste")

    coupon = page.get_by_label("Cupom de desconto")
    coupon.fill("NAOEXISTE")
    page.get_by_role("button", name="Aplicar cupom").click()
    refused = page.locator("#cupom-erro")
    expect(refused).to_have_text("Cupom inválido: não existe cupom com este código.")  # the API's 422
    expect(coupon).to_have_attribute("aria-describedby", re.compile(r"\bcupom-erro\b"))
    coupon.fill("bemvindo20")
    page.get_by_role("button", name="Aplicar cupom").click()
    expect(page.get_by_text("Cupom BEMVINDO20 aplicado.")).to_be_visible()
    expect(refused).to_be_hidden()
    expect(page.locator("[data-valor=cupom]")).to_have_text(
        f"BEMVINDO20: 20% de desconto por 3 meses, a partir de {trial_end:%d/%m/%Y}")
    expect(page.locator("[data-valor=desconto-renovacao]")).to_have_text("R$ 19,60")  # 20% of 2 × R$ 49,00
    check_page(portal, "meu-plano-teste-e-cupom")

    # The trial ends: its first period is billed 7 days ahead with the discount, and paid on trial_end.
    api.move_clock(trial_end - timedelta(days=7))
    api.run_job("issue-invoices")
    [first] = customer.call("GET", "/invoices?status=open")["items"]
    assert first["total_cents"] == 2 * 4900 - 1960
    api.move_clock(trial_end)
    api.pay(first["id"])
    page.reload()
    portal.settle()
    expect(page.locator("[data-status=active]")).to_have_text("Ativa")
    expect(page.locator("[data-valor=teste]")).to_have_count(0)

    subscription_id = page.url.rstrip("/").split("/")[-1]
    body = {"periodicity": "annual", "payment_method": "boleto", "make_default": False}
    expected = customer.call("POST", f"/subscriptions/{subscription_id}/changes/preview", body)["discount_cents"]
    assert expected == 2 * 49000 * 20 // 100  # the coupon covers the new plan's first period
    page.get_by_role("button", name="Alterar meu plano").click()
    page.get_by_label("Periodicidade do plano (ciclo de cobrança)").select_option("annual")
    page.get_by_role("button", name="Ver resumo do pedido").click()
    summary = page.locator(".summary").filter(has_text="Resumo do pedido")
    expect(summary.locator("[data-valor=desconto]")).to_have_text("R$ 196,00")
    expect(summary.get_by_text(re.compile("Desconto — cupom BEMVINDO20"))).to_be_visible()
    check_page(portal, "meu-plano-resumo-com-cupom")
