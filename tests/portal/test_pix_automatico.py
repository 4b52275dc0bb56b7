"""Pix Automático on Meu Plano, in Chromium against the local stack and its fake PSP: the customer asks
for the authorisation and sees the QR and its copia e cola, the payer's bank approves (the local stage's
dev route, through the real webhook path), Meu Plano shows it without another call, and the customer
cancels it."""
import pytest
from playwright.sync_api import expect

from tests.portal.conftest import Customer, check_page

pytestmark = pytest.mark.stack


def test_authorise_see_the_qr_approve_in_the_bank_and_cancel(portal, api):
    customer = Customer(api, "Clínica Pix Automático")
    sub = customer.subscribe("operand-pro", "monthly", 2)
    page = portal.open(f"/contas/{customer.account_id}/assinaturas/{sub['id']}", token=customer.token,
                       heading="Meu Plano")
    portal.settle()
    section = page.get_by_role("region", name="Pix Automático")
    expect(section.get_by_text("Não autorizado.")).to_be_visible()

    section.get_by_role("button", name="Autorizar Pix Automático").click()
    expect(section.get_by_text("Pedido criado: leia o QR Code no app do seu banco.")).to_be_visible()
    expect(section.locator("[data-pix-automatico=CRIADA]")).to_be_visible()
    expect(section.get_by_role("img", name="QR Code para autorizar o Pix Automático no app do banco")).to_be_visible()
    shown = section.get_by_label("Pix copia e cola da autorização").input_value()
    authorisation = customer.call("GET", f"/subscriptions/{sub['id']}/pix-automatico")
    assert shown == authorisation["qr_payload"] and shown.startswith("000201")
    check_page(portal, "meu-plano-pix-automatico-qr")

    api("POST", f"/v1/_dev/pix-automatico/{authorisation['rec_id']}/approve")  # the payer's bank
    portal.api_calls.clear()
    section.get_by_role("button", name="Atualizar").click()
    expect(section.locator("[data-pix-automatico=APROVADA]")).to_be_visible()
    assert [path for method, path in portal.api_calls if method == "GET"] == [
        f"/v1/accounts/{customer.account_id}/subscriptions/{sub['id']}"]  # the state came with the plan
    expect(page.get_by_text("A partir de")).to_contain_text("Pix Automático")  # the next renewal's method
    check_page(portal, "meu-plano-pix-automatico-aprovado")

    section.get_by_role("button", name="Cancelar autorização").click()
    expect(section.get_by_text("Autorização do Pix Automático cancelada.")).to_be_visible()
    expect(section.locator("[data-pix-automatico=CANCELADA]")).to_be_visible()
    expect(section.get_by_role("button", name="Autorizar Pix Automático")).to_be_visible()  # may ask again
