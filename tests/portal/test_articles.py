"""One walk per help-center article (/work/shared/seeds), in Chromium, as the person in it would do:
the screens of the portal against the local stack, the dev clock and jobs standing in for the days
passing, the dev gateway standing in for the customer's bank."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.portal.conftest import Customer, check_page, token_for

pytestmark = pytest.mark.stack
SAO_PAULO = timezone(timedelta(hours=-3))


def nav(portal, name: str) -> None:
    portal.page.get_by_role("navigation", name="Menu da conta").get_by_role("link", name=name, exact=True).click()
    portal.expect_heading(name)
    portal.settle()


def test_promob_due_day_renewal_boleto_and_payment(portal, api):
    """Promob, "Como renovar a assinatura da CATS": due day 15 from next month, boleto 7 days before,
    the linha digitável copied from the portal, paid, the license active."""
    customer = Customer(api, "Marcenaria Promob")
    sub = customer.subscribe("promob-cats-mandatory")
    page = portal.open(f"/contas/{customer.account_id}/configuracoes", token=customer.token, heading="Configurações")
    portal.settle()
    page.get_by_label("CPF ou CNPJ").fill("111.111.111-11")
    expect(page.locator("#documento-erro")).to_have_text("CPF inválido: confira os dígitos.")
    page.get_by_label("CPF ou CNPJ").fill("52998224725")
    expect(page.get_by_label("CPF ou CNPJ")).to_have_value("529.982.247-25")
    expect(page.locator("#documento-erro")).to_be_hidden()
    page.get_by_label("E-mails de cobrança").fill("financeiro@teste.demo, boletos@teste.demo")
    page.get_by_role("button", name="Salvar dados de faturamento").click()
    expect(page.get_by_text("Dados de faturamento salvos.")).to_be_visible()
    page.get_by_role("radio", name="Dia 22").check()
    page.get_by_role("radio", name="Boleto bancário").check()
    page.get_by_role("button", name="Salvar", exact=True).click()
    expect(page.get_by_text("O vencimento no dia 22 passa a valer a partir do próximo mês.")).to_be_visible()
    page.get_by_role("radio", name="Dia 15").check()
    page.get_by_role("button", name="Salvar", exact=True).click()
    expect(page.get_by_text("O vencimento no dia 15 passa a valer a partir do próximo mês.")).to_be_visible()
    check_page(portal, "promob-configuracoes")

    renewal = customer.call("GET", f"/subscriptions/{sub['id']}")["next_renewal"]
    api.move_clock(date.fromisoformat(renewal["due_date"]) - timedelta(days=7))  # the boleto goes out 7 days ahead
    api.run_job("issue-invoices")

    nav(portal, "Faturas")
    page.get_by_role("link", name=re.compile(r"^Fatura ")).first.click()
    detail = page.get_by_role("region", name=re.compile(r"^Fatura "))
    expect(detail.get_by_text("Em aberto")).to_be_visible()
    day, month, year = renewal["due_date"][8:], renewal["due_date"][5:7], renewal["due_date"][:4]
    expect(detail.get_by_text(f"{day}/{month}/{year}").first).to_be_visible()
    page.get_by_role("button", name="Copiar linha digitável").click()
    expect(page.get_by_text("Linha digitável copiada.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.fullmatch(r"\d{47}", copied), copied
    pdf = page.get_by_role("link", name="Baixar PDF do boleto").get_attribute("href")
    answer = page.request.get(pdf)
    assert answer.ok and answer.body().startswith(b"%PDF"), (pdf, answer.status)
    expect(page.get_by_role("img", name="QR Code Pix para pagar esta fatura")).to_be_visible()
    assert page.get_by_label("Pix copia e cola").input_value().startswith("000201")
    check_page(portal, "promob-fatura")

    invoice_id = re.search(r"fatura=([^&]+)", page.url).group(1)
    api.pay(invoice_id, "boleto")  # the customer's bank pays the boleto
    page.get_by_label("Mostrar").select_option("paid")
    expect(page.get_by_role("row").filter(has_text="Paga").first).to_be_visible()
    nav(portal, "Minhas assinaturas")
    row = page.get_by_role("row").filter(has_text="Promob Studio")
    expect(row.locator("[data-licenca]")).to_have_text("Ativa")
    expect(row).to_contain_text("15/02/")  # the next period lands on the new due day
    nav(portal, "Histórico de pagamentos")
    expect(page.get_by_role("row").filter(has_text="Boleto bancário")).to_have_count(2)


def test_ummense_conecta_card_and_billing_cycle_change(portal, api):
    """Ummense, "Como alterar meu plano do CONECTA": the single card, monthly by card only, the cycle
    changed to annual with the proportional credit shown before confirming, boleto allowed on annual."""
    customer = Customer(api, "Agência CONECTA")
    page = portal.open(f"/contas/{customer.account_id}/configuracoes", token=customer.token, heading="Configurações")
    portal.settle()
    page.get_by_label("Número do cartão").fill("4111 1111 1111 1111")
    page.get_by_label("Nome no cartão").fill("MARIA DA SILVA")
    page.get_by_label("Validade (MM/AA)").fill("12/30")
    page.get_by_label("Código de segurança").fill("123")
    page.get_by_role("button", name="Cadastrar cartão").click()
    expect(page.get_by_text("Cartão salvo.")).to_be_visible()
    expect(page.get_by_text("VISA final 1111")).to_be_visible()

    nav(portal, "Minhas assinaturas")
    page.get_by_label("Plano", exact=True).select_option(label="CONECTA App (white label)")
    page.get_by_label("Periodicidade").select_option("monthly")
    expect(page.get_by_role("radio", name="Boleto bancário")).to_be_disabled()
    page.get_by_role("radio", name="Cartão de crédito").check()
    page.get_by_role("button", name="Assinar").click()
    expect(page.get_by_text(re.compile("Assinatura de CONECTA App"))).to_be_visible()

    nav(portal, "Faturas")
    page.get_by_role("link", name=re.compile(r"^Fatura ")).first.click()
    page.get_by_role("button", name="Pagar agora com cartão").click()
    expect(page.locator("#pagar-erro")).to_be_hidden()
    expect(page.get_by_role("region", name=re.compile(r"^Fatura ")).get_by_text("Paga", exact=True)).to_be_visible()

    nav(portal, "Minhas assinaturas")
    page.get_by_role("link", name="Meu Plano: CONECTA App (white label)").click()
    portal.expect_heading("Meu Plano")
    page.get_by_role("button", name="Alterar meu plano").click()
    page.get_by_label("Periodicidade do plano (ciclo de cobrança)").select_option("annual")
    page.get_by_role("radio", name="Boleto bancário").check()
    page.get_by_role("button", name="Ver resumo do pedido").click()
    summary = page.locator(".summary")
    expect(summary.get_by_role("heading", name="Resumo do pedido")).to_be_visible()
    expect(summary.locator("[data-valor=credito]")).to_have_text(re.compile(r"^R\$ [1-9]\d*,\d{2}$"))  # the unused month
    expect(summary.locator("[data-valor=total]")).not_to_have_text("R$ 2.990,00")  # less the credit
    expect(summary.locator("[data-valor=renovacao]")).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4}$"))
    check_page(portal, "conecta-resumo")
    summary.get_by_role("button", name="Confirmar alterações").click()
    expect(page.get_by_text(re.compile("Alterações confirmadas"))).to_be_visible()
    expect(page.get_by_role("region", name="Assinatura", exact=True)).to_contain_text("Anual")


def test_operand_meu_plano_licenses_storage_renewal_and_requests(portal, api):
    """Operand, "Como funciona a nova tela Meu Plano?": add licenses and storage with the order's payment
    method made the default, remove licenses by deactivating a user and renewing active ones only,
    a request to the finance team and its answer, the payment history."""
    customer = Customer(api, "Agência Operand")
    customer.call("PUT", "/card", {"gateway_token": "tok_local_op", "brand": "mastercard", "last4": "5454",
                                   "exp_month": 3, "exp_year": 2032})
    sub = customer.subscribe("operand-pro", quantity=3)
    spare = customer.member("member")
    page = portal.open(f"/contas/{customer.account_id}/assinaturas/{sub['id']}", token=customer.token, heading="Meu Plano")
    portal.settle()
    page.get_by_role("button", name="Alterar meu plano").click()
    page.get_by_label("Licenças").fill("5")
    page.get_by_label("Espaço adicional para anexos (GB)").fill("10")
    page.get_by_role("radio", name="Cartão de crédito").check()
    page.get_by_label("Tornar esta minha forma de pagamento padrão").check()
    page.get_by_role("button", name="Ver resumo do pedido").click()
    summary = page.locator(".summary")
    expect(summary.get_by_role("heading", name="Resumo do pedido")).to_be_visible()
    expect(summary.locator("[data-valor=total]")).not_to_have_text("R$ 0,00")
    summary.get_by_role("button", name="Confirmar alterações").click()
    expect(page.get_by_text(re.compile("Alterações confirmadas"))).to_be_visible()
    expect(page.get_by_role("region", name="Assinatura", exact=True)).to_contain_text("de 5 contratadas")
    expect(page.get_by_role("region", name="Armazenamento")).to_contain_text("10 GB contratados")
    check_page(portal, "operand-meu-plano")

    nav(portal, "Membros")
    spare_email = customer.call("GET", "/members")["items"]
    spare_email = next(m["email"] for m in spare_email if m["role"] == "member")
    page.get_by_role("button", name=f"Inativar {spare_email}").click()
    expect(page.get_by_text(f"{spare_email} inativado.")).to_be_visible()
    page.get_by_label("E-mail").fill("novo@teste.demo")
    page.get_by_label("Papel", exact=True).select_option("finance")
    page.get_by_role("button", name="Convidar").click()
    expect(page.get_by_role("row").filter(has_text="novo@teste.demo")).to_contain_text("Convidado")
    check_page(portal, "operand-membros")
    assert spare  # the deactivated person's token no longer matters

    nav(portal, "Minhas assinaturas")
    page.get_by_role("link", name=re.compile("^Meu Plano: Operand")).click()
    portal.expect_heading("Meu Plano")
    page.get_by_role("button", name="Alterar a renovação").click()
    page.get_by_role("radio", name="Renovar automaticamente apenas as licenças ativas").check()
    page.get_by_role("button", name="Confirmar alterações").click()
    expect(page.get_by_text("Automática apenas para as licenças ativas")).to_be_visible()

    nav(portal, "Solicitações")
    page.get_by_label("Assunto").select_option("licenses")
    page.get_by_label("Qual é a sua necessidade?").fill("Queremos incluir mais licenças do módulo conversas.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.get_by_text("Solicitação enviada ao time financeiro.")).to_be_visible()
    request = customer.call("GET", "/requests")["items"][0]
    finance = token_for("finance-staff", "financeiro@renova.demo", groups=["finance"])
    api("POST", f"/v1/admin/requests/{request['id']}/messages", finance,
        {"text": "Incluímos as licenças; a cobrança vem na próxima fatura."}, status=201)
    page.get_by_role("link", name=re.compile("Mais licenças")).click()
    conversation = page.get_by_role("region", name="Conversa")
    expect(conversation).to_contain_text("Incluímos as licenças")
    page.get_by_label("Responder").fill("Obrigado!")
    page.get_by_role("button", name="Enviar mensagem").click()
    expect(conversation.locator(".message-text").filter(has_text="Obrigado!")).to_have_count(1)
    expect(page.get_by_label("Responder")).to_have_value("")
    check_page(portal, "operand-solicitacoes")

    nav(portal, "Histórico de pagamentos")
    expect(page.get_by_role("row").filter(has_text="R$ 297,00")).to_have_count(1)


def test_conta_azul_batch_licenses_backup_and_cancellation(portal, api):
    """Conta Azul Mais, "Plano Exclusivo: como funciona o cancelamento do lote": licenses assigned,
    a client substituted, billing transferred to a client, a backup scheduled off business hours and
    downloaded, and a cancellation whose effect is shown before confirming, then undone."""
    partner = Customer(api, "Escritório Parceiro")
    batch = partner.subscribe("conta-azul-mais", quantity=2)
    page = portal.open(f"/contas/{partner.account_id}/assinaturas", token=partner.token, heading="Minhas assinaturas")
    page.get_by_role("link", name=re.compile("^Licenças do lote")).click()
    portal.expect_heading("Licenças do lote")
    portal.settle()
    page.get_by_role("button", name="Atribuir a um cliente (Licença 1)").click()
    page.get_by_label("Nome do cliente").fill("Padaria Central")
    page.get_by_label("E-mail do responsável do cliente").fill("dono@padaria.demo")
    page.get_by_role("button", name="Atribuir", exact=True).click()
    expect(page.get_by_text("Licença atribuída a Padaria Central.")).to_be_visible()
    page.get_by_role("button", name="Substituir cliente (Licença 1)").click()
    page.get_by_label("Nome do cliente").fill("Mercado Novo")
    page.get_by_label("E-mail do responsável do cliente").fill("dono@mercado.demo")
    page.get_by_role("button", name="Substituir cliente", exact=True).click()
    expect(page.get_by_text(re.compile("Cliente substituído"))).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Licença 1")).to_contain_text("Mercado Novo")
    page.get_by_role("button", name="Atribuir a um cliente (Licença 2)").click()
    page.get_by_label("Nome do cliente").fill("Oficina Paulista")
    page.get_by_label("E-mail do responsável do cliente").fill("dono@oficina.demo")
    page.get_by_role("button", name="Atribuir", exact=True).click()
    page.get_by_role("button", name="Alterar responsável pela assinatura (Licença 2)").click()
    page.get_by_role("button", name="Transferir titularidade").click()
    expect(page.get_by_text(re.compile("Titularidade transferida"))).to_be_visible()
    check_page(portal, "conta-azul-lote")

    tomorrow = api.today() + timedelta(days=1)
    while tomorrow.weekday() >= 5:  # a business day: downloads are refused there between 05h and 19h
        tomorrow += timedelta(days=1)
    nav(portal, "Backups")
    page.get_by_label("Dia (dd/mm/aaaa)").fill(tomorrow.strftime("%d/%m/%Y"))
    page.get_by_label("Horário (entre 19h e 04h)").fill("20:00")
    page.get_by_role("button", name="Agendar backup").click()
    expect(page.get_by_text(re.compile("Backup agendado para"))).to_be_visible()
    api.set_clock(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, 0, tzinfo=SAO_PAULO))
    api.run_job("run-backups")
    page.reload()
    portal.settle()
    expect(page.locator("[data-status=scheduled]")).to_have_count(1)  # not before 19h
    api.set_clock(datetime(tomorrow.year, tomorrow.month, tomorrow.day, 20, 30, tzinfo=SAO_PAULO))
    api.run_job("run-backups")
    page.reload()
    portal.settle()
    expect(page.locator("[data-status=ready]")).to_have_count(1)
    page.get_by_role("button", name="Fazer download").click()
    expect(page.get_by_role("link", name=re.compile(r"^Baixar .+\.zip"))).to_be_visible()
    check_page(portal, "conta-azul-backups")

    client = Customer(api, "Cliente Direto")
    sub = client.subscribe("conta-azul-pro")
    api.move_clock(api.today() + timedelta(days=10))  # past the 7-day withdrawal window
    page = portal.open(f"/contas/{client.account_id}/assinaturas/{sub['id']}", token=client.token, heading="Meu Plano")
    page.get_by_role("button", name="Cancelar assinatura").click()
    foresee = page.locator(".summary")
    expect(foresee.get_by_role("heading", name="O que vai acontecer")).to_be_visible()
    expect(foresee.locator("[data-valor=efeito]")).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4}$"))
    expect(foresee.locator("[data-valor=estorno]")).to_have_text("R$ 0,00")
    # The API's quote, by the rules the cancel itself applies (the portal keeps no copy of them).
    assert any(path.endswith("/cancellation-quote") for _, path in portal.api_calls), portal.api_calls
    check_page(portal, "conta-azul-cancelar")
    foreseen = foresee.locator("[data-valor=efeito]").inner_text()
    page.get_by_label("Motivo do cancelamento").fill("O cliente vai usar outro sistema.")
    page.get_by_role("button", name="Confirmar cancelamento").click()
    expect(page.get_by_text(f"Cancelamento agendado para {foreseen}.")).to_be_visible()
    page.get_by_role("button", name="Desfazer cancelamento").click()
    expect(page.get_by_text("Cancelamento desfeito: a assinatura volta a renovar.")).to_be_visible()
    expect(page.get_by_role("button", name="Cancelar assinatura")).to_be_visible()


def test_crm_people_late_mentoring_installment(portal, api):
    """CRM People, "Entendendo o Pagamento de Faturas em Atraso": a mentoring installment a month late
    is paid together with the current one — one invoice, 2ª via due today, paid by card, license back."""
    customer = Customer(api, "Consultoria CRM")
    customer.call("PUT", "/card", {"gateway_token": "tok_local_crm", "brand": "visa", "last4": "4242",
                                   "exp_month": 8, "exp_year": 2031})
    sub = customer.subscribe("mentoria-12")
    renewal = customer.call("GET", f"/subscriptions/{sub['id']}")["next_renewal"]
    first_due, second_due = date.fromisoformat(renewal["due_date"]), date.fromisoformat(renewal["period_end"])
    api.move_clock(first_due - timedelta(days=7))
    api.run_job("issue-invoices")
    api.run_job("check-overdue")  # the job reviews every day since its last run
    api.move_clock(first_due + timedelta(days=10))  # unpaid: past due, then suspended
    api.run_job("check-overdue")
    api.move_clock(max(second_due - timedelta(days=7), api.today()))
    api.run_job("issue-invoices")
    api.run_job("check-overdue")

    page = portal.open(f"/contas/{customer.account_id}/assinaturas", token=customer.token, heading="Minhas assinaturas")
    row = page.get_by_role("row").filter(has_text="Mentoria")
    expect(row.locator("[data-licenca]")).not_to_have_text("Ativa")
    nav(portal, "Faturas")
    links = page.get_by_role("link", name=re.compile(r"^Fatura "))
    expect(links).to_have_count(1)  # the late installment was carried into the current invoice
    links.first.click()
    detail = page.get_by_role("region", name=re.compile(r"^Fatura "))
    expect(detail.get_by_role("row").filter(has_text="Mentoria")).to_have_count(2)
    page.get_by_role("button", name="Gerar 2ª via").click()
    expect(detail.locator("#segunda-via-erro")).to_be_hidden()
    expect(page.get_by_text(re.compile(r"2ª via gerada|O boleto atual ainda vale"))).to_be_visible()
    check_page(portal, "crm-people-fatura-atrasada")
    page.get_by_role("button", name="Pagar agora com cartão").click()
    expect(detail.get_by_text("Paga", exact=True)).to_be_visible()
    nav(portal, "Minhas assinaturas")
    expect(page.get_by_role("row").filter(has_text="Mentoria").locator("[data-licenca]")).to_have_text("Ativa")
