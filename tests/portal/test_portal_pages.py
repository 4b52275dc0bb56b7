"""Every screen of the portal in Chromium: its single h1, signing in (the development token field,
the demo users, `#token=` on any route), what each role is offered, API errors shown next to the
control, the Meu Plano call budget, and axe-core on every page (screenshots in build/portal-screenshots/)."""
import re

import pytest
from playwright.sync_api import expect

from tests.portal.conftest import Customer, check_page

pytestmark = pytest.mark.stack

PAGES = [
    ("assinaturas", "Minhas assinaturas"),
    ("faturas", "Faturas"),
    ("pagamentos", "Histórico de pagamentos"),
    ("configuracoes", "Configurações"),
    ("solicitacoes", "Solicitações"),
    ("backups", "Backups"),
    ("membros", "Membros"),
]


def test_sign_in_with_the_development_token_or_a_demo_user(portal, stack):
    page = portal.open("/contas")  # not signed in: sent to /entrar, then back
    portal.expect_heading("Entrar")
    expect(page).to_have_url(re.compile(r"/entrar\?proxima="))
    expect(page.get_by_role("button", name="Entrar como dono@marcenaria.demo")).to_be_visible()
    check_page(portal, "entrar")
    page.get_by_label("Token de desenvolvimento").fill("não é um jwt")
    page.get_by_role("button", name="Entrar com o token").click()
    expect(page.locator("#token-erro")).to_contain_text("JWT")
    page.get_by_label("Token de desenvolvimento").fill(stack.ready["dev_token"])
    page.get_by_role("button", name="Entrar com o token").click()
    portal.expect_heading("Minhas contas")
    expect(page).to_have_url(re.compile(r"/contas$"))
    expect(page.get_by_role("heading", name="Marcenaria Demonstração")).to_be_visible()
    check_page(portal, "minhas-contas")
    page.get_by_role("button", name="Sair").click()
    page.get_by_role("button", name="Entrar como dona@parceiro.demo").click()
    expect(page.get_by_role("heading", name="Contabilidade Parceira Demo")).to_be_visible()


def test_every_page_has_its_heading_and_passes_axe(portal, api):
    customer = Customer(api, "Conta Todas as Telas")
    sub = customer.subscribe("operand-pro", quantity=2)
    batch = customer.subscribe("conta-azul-mais", quantity=2)
    customer.call("POST", "/requests", {"type": "nota_fiscal", "text": "Preciso da nota fiscal de dezembro."}, status=201)
    base = f"/contas/{customer.account_id}"
    portal.open(f"{base}/faturas", token=customer.token, heading="Faturas")  # #token= signs in on any route
    assert "#token" not in portal.page.url
    for path, heading in PAGES:
        portal.page.get_by_role("navigation", name="Menu da conta").get_by_role("link", name=heading, exact=True).click()
        portal.expect_heading(heading)
        expect(portal.page.locator("h1")).to_be_focused()  # focus after navigation
        check_page(portal, path)
    portal.open(f"{base}/assinaturas/{sub['id']}", heading="Meu Plano")
    check_page(portal, "meu-plano")
    portal.open(f"{base}/lotes/{batch['id']}", heading="Licenças do lote")
    check_page(portal, "licencas-do-lote")
    portal.open("/nao-existe", heading="Página não encontrada")


def test_meu_plano_renders_from_at_most_three_api_calls(portal, api):
    customer = Customer(api, "Conta Orçamento")
    sub = customer.subscribe("operand-pro", quantity=3)
    page = portal.open(f"/contas/{customer.account_id}/assinaturas/{sub['id']}", token=customer.token, heading="Meu Plano")
    expect(page.get_by_text(re.compile(r"em uso de 3 contratadas"))).to_be_visible()
    portal.settle()
    assert len(portal.api_calls) <= 3, portal.api_calls


def test_what_a_role_may_not_do_is_not_offered(portal, api):
    customer = Customer(api, "Conta Papéis")
    sub = customer.subscribe("operand-pro", quantity=2)
    base = f"/contas/{customer.account_id}"
    finance = customer.member("finance")
    page = portal.open(f"{base}/assinaturas/{sub['id']}", token=finance, heading="Meu Plano")
    portal.settle()
    expect(page.get_by_role("heading", name="Renovação")).to_be_visible()
    expect(page.get_by_role("button", name="Alterar meu plano")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancelar assinatura")).to_have_count(0)
    page.get_by_role("link", name="Membros").click()
    portal.settle()
    expect(page.get_by_role("button", name="Convidar")).to_have_count(0)
    page.get_by_role("link", name="Backups").click()
    expect(page.get_by_text("Só o proprietário da conta agenda e baixa backups.")).to_be_visible()

    member = customer.member("member")
    page = portal.open(f"{base}/faturas", token=member, heading="Faturas")
    expect(page.get_by_text("Esta tela é para o proprietário")).to_be_visible()
    expect(page.get_by_role("navigation", name="Menu da conta").get_by_role("link", name="Faturas")).to_have_count(0)
    check_page(portal, "faturas-membro")


def test_an_api_error_is_shown_next_to_what_caused_it(portal, api):
    customer = Customer(api, "Conta Erros")
    customer.call("PUT", "/card", {"gateway_token": "tok_local_1", "brand": "visa", "last4": "4242",
                                   "exp_month": 12, "exp_year": 2031})
    sub = customer.subscribe("conecta-app", payment_method="card")
    page = portal.open(f"/contas/{customer.account_id}/assinaturas/{sub['id']}", token=customer.token, heading="Meu Plano")
    page.get_by_role("button", name="Alterar a forma de pagamento").click()
    page.get_by_role("radio", name="Boleto bancário").check()
    page.get_by_role("button", name="Confirmar alterações").click()
    error = page.locator("#forma-pgto-erro")
    expect(error).to_contain_text("boleto não está disponível na periodicidade mensal")
    expect(page.get_by_role("button", name="Confirmar alterações")).to_have_attribute("aria-describedby", "forma-pgto-erro")
    check_page(portal, "meu-plano-erro")


def test_the_keyboard_alone_reaches_and_uses_the_screens(portal, api):
    customer = Customer(api, "Conta Teclado")
    page = portal.open(f"/contas/{customer.account_id}/faturas", token=customer.token, heading="Faturas")
    portal.settle()
    page.keyboard.press("Tab")  # the first screen keeps the focus at the top: the skip link comes first
    expect(page.get_by_role("link", name="Pular para o conteúdo")).to_be_focused()
    menu = page.get_by_role("navigation", name="Menu da conta")
    menu.get_by_role("link", name="Solicitações").focus()
    page.keyboard.press("Enter")
    portal.expect_heading("Solicitações")
    expect(page.locator("h1")).to_be_focused()
    page.get_by_label("Qual é a sua necessidade?").focus()
    page.keyboard.type("Preciso da segunda via da nota fiscal.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Enviar", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Solicitação enviada ao time financeiro.")).to_be_visible()
