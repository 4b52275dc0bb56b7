"""The finance console in Chromium: only the `finance` group is offered it (a customer who types its
address gets the API's 403 message), the Painel shows the figures `GET /v1/admin/metrics` answers for
the same range and product, and each work queue shows what the API has after the test makes an item
of it. axe-core runs on every console page; screenshots land in build/portal-screenshots/."""
import re
import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import expect

from tests.portal.conftest import PORTAL, Customer, check_page, token_for
from tests.steps.payment_steps import itau_return

pytestmark = pytest.mark.stack

CNAB_ITAU = PORTAL.parent.parent / "shared" / "reference" / "cnab" / "CNAB400ITAU.RET"
MONTHS = ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
          "outubro", "novembro", "dezembro"]


@pytest.fixture(scope="module")
def finance() -> str:
    return token_for(f"fin-{uuid.uuid4().hex[:8]}", "financeiro@fornecedor.demo", groups=["finance"])


def menu(page):
    return page.get_by_role("navigation", name="Menu do financeiro")


# --- pt-BR as the console writes it, computed here from the API's numbers ----------------------
def brl(cents: int | None) -> str:
    if cents is None:
        return "—"
    reais, centavos = divmod(abs(cents), 100)
    grouped = f"{reais:,}".replace(",", ".")
    return f"{'-' if cents < 0 else ''}R$ {grouped},{centavos:02d}"


def one_decimal(value: float | Decimal) -> str:
    """Rounded half away from zero on the number's exact value, as Intl.NumberFormat does."""
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)).replace(".", ",")


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{one_decimal(Decimal(rate) * 100)}%"


def count(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}".replace(",", ".")


def days(value: float | None) -> str:
    if value is None:
        return "—"
    text = one_decimal(value).removesuffix(",0")
    return f"{text} {'dia' if value == 1 else 'dias'}"


def month_name(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} de {year}"


def expected_columns(month: dict) -> dict[str, str]:
    """Every figure of a month of the API's answer, under the header the console gives it. Collection
    and dunning come as null for one product (invoices are not split by product): not on the page."""
    movements = month["movements"]
    figures = {
        "MRR": brl(month["mrr_cents"]), "ARR": brl(month["arr_cents"]),
        "Novo": brl(movements["new_cents"]), "Expansão": brl(movements["expansion_cents"]),
        "Reativação": brl(movements["reactivation_cents"]), "Contração": brl(movements["contraction_cents"]),
        "Cancelamento": brl(movements["churn_cents"]),
        "Contas ativas": count(month["active_accounts"]), "Assinaturas ativas": count(month["active_subscriptions"]),
        "ARPA": brl(month["arpa_cents"]), "Churn de clientes": percent(month["logo_churn_rate"]),
        "Churn de receita": percent(month["revenue_churn_rate"]), "NRR": percent(month["nrr"]),
    }
    dunning = month["dunning"]
    if dunning is not None:
        figures.update({
            "Faturado": brl(month["billed_cents"]), "Recebido": brl(month["collected_cents"]),
            "Estornado": brl(month["refunded_cents"]),
            "Faturas vencidas": count(dunning["overdue_invoices"]),
            "Recuperadas": count(dunning["recovered_invoices"]),
            "Valor recuperado": brl(dunning["recovered_cents"]),
            "Taxa de recuperação": percent(dunning["recovery_rate"]),
            "Mediana de dias para recuperar": days(dunning["median_days_to_recover"]),
        })
    return figures


METHODS = {"boleto": "Boleto bancário", "card": "Cartão de crédito", "pix": "Pix", "pix_automatico": "Pix Automático"}


def expected_by_method(month: dict) -> dict[str, dict[str, str]]:
    return {METHODS[method]: {"Faturado": brl(f["billed_cents"]), "Recebido": brl(f["collected_cents"]),
                              "Estornado": brl(f["refunded_cents"]), "Faturas vencidas": count(f["overdue_invoices"]),
                              "Recuperadas": count(f["recovered_invoices"]),
                              "Valor recuperado": brl(f["recovered_cents"])}
            for method, f in (month["by_method"] or {}).items()}


def months_back(month: str, count_: int) -> str:
    year, number = map(int, month.split("-"))
    index = year * 12 + number - 1 - count_
    return f"{index // 12}-{index % 12 + 1:02d}"


def table_rows(table) -> dict[str, dict[str, str]]:
    """{row header: {column header: cell}} of a table as it reads."""
    headers = [cell.inner_text().strip() for cell in table.locator("thead th").all()][1:]
    return {row.locator("th").inner_text().strip():
            dict(zip(headers, [cell.inner_text().strip() for cell in row.locator("td").all()]))
            for row in table.locator("tbody tr").all()}


def rendered_tables(page) -> dict[str, dict[str, str]]:
    """{month name: {header: cell}} of every chart's table, each opened under "Ver tabela" as a person would."""
    rows: dict[str, dict[str, str]] = {}
    for details in page.locator("figure details").all():
        if not details.evaluate("element => element.open"):
            details.locator("summary").click()
    for table in page.locator("figure details table").all():
        for month, cells in table_rows(table).items():
            rows.setdefault(month, {}).update(cells)
    return rows


def rendered_indicators(page) -> dict[str, str]:
    return {item.locator("dt").inner_text().strip(): item.locator("dd").inner_text().strip()
            for item in page.locator("#indicadores dl.figures > div").all()}


def expect_the_api_s_figures(page, months: list[dict]) -> None:
    """The indicators are the last month's; every chart's table holds every month; the charts were drawn."""
    expect(page.get_by_role("heading", name=f"Indicadores de {month_name(months[-1]['month'])}")).to_be_visible()
    movements = {"Novo", "Expansão", "Reativação", "Contração", "Cancelamento"}  # in the chart's table only
    assert rendered_indicators(page) == {header: text for header, text in expected_columns(months[-1]).items()
                                         if header not in movements}
    assert rendered_tables(page) == {month_name(m["month"]): expected_columns(m) for m in months}
    whole = months[-1]["dunning"] is not None
    expect(page.locator(".recharts-wrapper")).to_have_count(4 if whole else 2)
    if whole:
        assert table_rows(page.locator("#por-forma")) == expected_by_method(months[-1])


# --- the Painel -----------------------------------------------------------------------------------
def test_a_finance_user_signs_in_and_the_painel_shows_the_api_s_figures(portal, api, finance, tmp_path):
    customer = Customer(api, "Conta Métricas")
    customer.subscribe("operand-pro", quantity=3)
    Customer(api, "Conta Métricas Em Aberto").subscribe("operand-pro", paid=False)

    page = portal.open("/entrar")
    page.get_by_role("button", name="Entrar como financeiro@fornecedor.demo").click()  # the finance demo user
    portal.expect_heading("Painel")
    expect(page).to_have_url(re.compile(r"/financeiro/painel$"))
    expect(menu(page).get_by_role("link", name="Painel")).to_have_attribute("aria-current", "page")
    portal.settle()

    # The default: the API's own last 12 months, by its clock.
    months = api("GET", "/v1/admin/metrics", finance)["months"]
    this_month = api.today().isoformat()[:7]
    assert [m["month"] for m in months] == [months_back(this_month, 11 - n) for n in range(12)]
    assert months[-1]["mrr_cents"] > 0 and months[-1]["active_subscriptions"] > 0, months[-1]  # not a page of zeros
    expect(page.get_by_label("De", exact=True)).to_have_value(months[0]["month"])
    expect(page.get_by_label("Até", exact=True)).to_have_value(this_month)
    expect_the_api_s_figures(page, months)
    # The current month day by day, as the API's `days` say.
    days = months[-1]["days"]
    assert days and days[-1]["date"] <= api.today().isoformat(), days
    assert table_rows(page.locator("table[data-tabela=dia-a-dia]")) == {
        f"{d['date'][8:10]}/{d['date'][5:7]}/{d['date'][:4]}": {
            "MRR": brl(d["mrr_cents"]),
            "Entrou (novo, expansão, reativação)": brl(sum(d["movements"][k] for k in (
                "new_cents", "expansion_cents", "reactivation_cents"))),
            "Saiu (contração, cancelamento)": brl(d["movements"]["contraction_cents"]
                                                  + d["movements"]["churn_cents"]),
            "Faturado": brl(d["billed_cents"]), "Recebido": brl(d["collected_cents"])} for d in days}
    check_page(portal, "console-painel")

    # The CSV export of the same figures.
    with page.expect_download() as download:
        page.get_by_role("button", name="Baixar CSV").click()
    saved = tmp_path / "painel.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"metricas-{months[0]['month']}-a-{this_month}.csv"
    exported = api.stack.call("GET", "/v1/admin/metrics.csv", token=finance)
    assert exported.status == 200 and saved.read_bytes() == exported.body

    # A shorter range of one product: the figures of the same route with those parameters.
    first = months_back(this_month, 2)
    page.get_by_label("De", exact=True).fill(first)
    page.get_by_label("Produto", exact=True).select_option("operand-pro")
    page.get_by_role("button", name="Mostrar").click()
    expect(page).to_have_url(re.compile(rf"de={first}&ate={this_month}&produto=operand-pro$"))
    portal.settle()
    only = api("GET", f"/v1/admin/metrics?from={first}&to={this_month}&product_id=operand-pro", finance)["months"]
    assert len(only) == 3 and only[-1]["mrr_cents"] > 0, only
    expect_the_api_s_figures(page, only)
    expect(page.get_by_text("Cobrança e inadimplência são do conjunto dos produtos")).to_be_visible()
    check_page(portal, "console-painel-produto")

    # A range the wrong way round is refused before asking.
    page.get_by_label("De", exact=True).fill(this_month)
    page.get_by_label("Até", exact=True).fill(first)
    page.get_by_role("button", name="Mostrar").click()
    expect(page.locator("#painel-erro")).to_have_text("O mês inicial precisa vir antes do final.")


def test_a_customer_is_not_offered_the_console_and_the_api_refuses_it(portal, api):
    customer = Customer(api, "Conta Sem Console")
    page = portal.open(f"/contas/{customer.account_id}/faturas", token=customer.token, heading="Faturas")
    portal.settle()
    expect(page.get_by_role("link", name="Console financeiro")).to_have_count(0)
    portal.open("/financeiro/painel", heading="Painel")
    expect(page.get_by_text("Apenas a equipe financeira pode usar esta rota.")).to_be_visible()
    api("GET", "/v1/admin/requests", customer.token, status=403)
    portal.open("/financeiro/solicitacoes", heading="Solicitações dos clientes")
    expect(page.get_by_text("Apenas a equipe financeira pode usar esta rota.")).to_be_visible()


# --- the work queues ----------------------------------------------------------------------------
def test_the_requests_queue_lists_what_the_api_lists_and_answers_a_thread(portal, api, finance):
    customer = Customer(api, "Conta Pedido")
    text = f"Preciso da nota fiscal de novembro ({uuid.uuid4().hex[:6]})."
    opened = customer.call("POST", "/requests", {"type": "nota_fiscal", "text": text}, status=201)

    page = portal.open("/financeiro/solicitacoes", token=finance, heading="Solicitações dos clientes")
    portal.settle()
    listed = api("GET", "/v1/admin/requests?status=open&limit=50", finance)["items"]
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(listed))
    assert [row.locator("td").first.inner_text() for row in rows.all()] == [item["account_id"] for item in listed]
    expect(rows.filter(has_text=text)).to_have_count(1)
    check_page(portal, "console-solicitacoes")

    page.get_by_role("link", name=f"Abrir conversa: Nota fiscal, conta {customer.account_id}").click()
    thread = page.locator("#conversa")
    expect(thread.get_by_text(text)).to_be_visible()
    thread.get_by_label("Resposta ao cliente").fill("A nota fiscal foi emitida e enviada ao seu e-mail.")
    thread.get_by_label("Encerrar a solicitação com esta resposta").check()
    thread.get_by_role("button", name="Enviar resposta").click()
    expect(thread.get_by_role("status")).to_have_text("Resposta enviada; solicitação encerrada.")
    expect(thread.get_by_text("A nota fiscal foi emitida e enviada ao seu e-mail.")).to_be_visible()
    check_page(portal, "console-solicitacao-conversa")

    messages = customer.call("GET", f"/requests/{opened['id']}/messages")["items"]
    answer = "A nota fiscal foi emitida e enviada ao seu e-mail."
    assert [(m["author"], m["text"]) for m in messages][-1] == ("finance", answer)
    closed = api("GET", "/v1/admin/requests?status=closed&limit=50", finance)["items"]
    assert opened["id"] in [item["id"] for item in closed]
    page.get_by_label("Situação").select_option("closed")
    expect(page.locator("table tbody tr").filter(has_text=text)).to_have_count(1)


def test_a_refund_made_in_the_console_is_the_api_s_refund(portal, api, finance):
    customer = Customer(api, "Conta Estorno")
    customer.subscribe("operand-pro", quantity=2)  # paid by boleto through the dev gateway
    payment = customer.call("GET", "/payments")["items"][0]

    page = portal.open("/financeiro/estornos", token=finance, heading="Estornos")
    check_page(portal, "console-estornos")
    page.get_by_label("Conta", exact=True).fill(customer.account_id)
    page.get_by_label("Pagamento", exact=True).fill(payment["id"])
    page.get_by_label("Motivo").fill("Cliente desistiu no prazo de arrependimento.")
    page.get_by_role("button", name="Estornar pagamento").click()
    expect(page.get_by_text(f"Estornar o pagamento {payment['id']} da conta {customer.account_id}?")).to_be_visible()
    page.get_by_role("button", name="Confirmar estorno").click()
    expect(page.get_by_role("status").filter(has_text="Estorno ")).to_contain_text(brl(payment["amount_cents"]))

    after = next(p for p in customer.call("GET", "/payments")["items"] if p["id"] == payment["id"])
    assert (after["status"], after["refunded_cents"]) == ("refund_requested", payment["amount_cents"])
    # The list is the API's list of refunds to return by hand, newest first: this one on top.
    listed = api("GET", "/v1/admin/refunds?status=requested&limit=50", finance)["items"]
    assert listed[0]["payment_id"] == payment["id"]
    rows = page.locator("#estornos-registrados table tbody tr")
    expect(rows).to_have_count(len(listed))
    assert [row.locator("th").inner_text() for row in rows.all()] == [item["id"] for item in listed]
    row = rows.first
    expect(row.locator("td").nth(0)).to_have_text(customer.account_id)
    expect(row.locator("td").nth(1)).to_have_text(payment["id"])
    expect(row.locator("td").nth(2)).to_have_text(payment["invoice_id"])
    expect(row.locator("td").nth(3)).to_have_text(brl(after["refunded_cents"]))
    expect(row.locator("td").nth(5)).to_have_text("Cliente desistiu no prazo de arrependimento.")
    expect(row).to_contain_text("A devolver pelo time financeiro")
    # A new visit lists it too: the page reads the API, not what this visit did.
    page.reload()
    expect(page.locator("#estornos-registrados table tbody tr").first.locator("th")).to_have_text(listed[0]["id"])
    page.get_by_label("Situação").select_option("refunded")
    refunded = api("GET", "/v1/admin/refunds?status=refunded&limit=50", finance)["items"]
    expect(page.locator("#estornos-registrados table tbody tr")).to_have_count(len(refunded))
    check_page(portal, "console-estorno-feito")

    # The same payment again: the API's refusal, next to the form.
    page.get_by_label("Conta", exact=True).fill(customer.account_id)
    page.get_by_label("Pagamento", exact=True).fill(payment["id"])
    page.get_by_label("Motivo").fill("De novo.")
    page.get_by_role("button", name="Estornar pagamento").click()
    page.get_by_role("button", name="Confirmar estorno").click()
    expect(page.locator("#estorno-erro")).to_have_text("Este pagamento já foi estornado ou contestado.")


def test_a_bank_return_imported_in_the_console_settles_the_boleto(portal, api, finance, tmp_path):
    customer = Customer(api, "Conta Retorno")
    sub = customer.subscribe("operand-pro", paid=False)
    invoice = customer.call("GET", f"/invoices/{sub['invoice_id']}")
    nosso_numero = invoice["boleto"]["nosso_numero"].split("/")[1].split("-")[0]
    today: date = api.today()
    content = itau_return([(nosso_numero, invoice["total_cents"])], today.strftime("%d%m%y"), CNAB_ITAU.read_bytes())
    file = tmp_path / f"retorno-{nosso_numero}.ret"
    file.write_bytes(content)

    page = portal.open("/financeiro/retornos", token=finance, heading="Retornos bancários")
    check_page(portal, "console-retornos")
    page.get_by_label("Arquivo de retorno (CNAB 240 ou 400)").set_input_files(str(file))
    page.get_by_role("button", name="Importar").click()
    expect(page.get_by_role("status").filter(has_text="importado")).to_have_text(
        f"Arquivo {file.name} importado: 1 liquidados, {brl(invoice['total_cents'])} recebidos.")
    imports = page.locator("#retornos-importados table").first
    listed = api("GET", "/v1/admin/bank-returns?limit=20", finance)["items"]
    assert listed[0]["name"] == file.name
    expect(imports.locator("tbody tr")).to_have_count(len(listed))
    row = imports.locator("tbody tr").first
    cells = dict(zip([h.inner_text() for h in imports.locator("thead th").all()],
                     [row.locator("th").inner_text()] + [c.inner_text() for c in row.locator("td").all()]))
    assert cells["Importado em"] != "—"
    row_cells = {key: value for key, value in cells.items() if key not in ("Importado em", "Por")}
    assert row_cells == {"Arquivo": file.name, "Banco": "341", "Layout": "CNAB 400", "Registros": "1", "Liquidados": "1",
                         "Crédito (fatura já paga)": "0", "Já importados": "0", "Sem fatura correspondente": "0",
                         "Entradas confirmadas": "0", "Rejeitados": "0", "Ignorados": "0",
                         "Valor recebido": brl(invoice["total_cents"])}
    assert cells["Por"] == listed[0]["imported_by"]
    assert customer.call("GET", f"/invoices/{sub['invoice_id']}")["status"] == "paid"
    check_page(portal, "console-retorno-importado")

    # The same file again: nothing is settled twice, and the page says so.
    page.get_by_label("Arquivo de retorno (CNAB 240 ou 400)").set_input_files(str(file))
    page.get_by_role("button", name="Importar").click()
    rows = page.locator("#retornos-importados table").first.locator("tbody tr")
    expect(rows).to_have_count(len(listed) + 1)
    again = rows.first
    expect(again.locator("td").nth(7)).to_have_text("1")  # Já importados
    expect(again.locator("td").nth(5)).to_have_text("0")  # Liquidados
    assert api("GET", "/v1/admin/bank-returns?limit=1", finance)["items"][0]["duplicates"] == 1


def test_a_credit_granted_in_the_console_is_the_account_s_credit(portal, api, finance):
    customer = Customer(api, "Conta Crédito")
    page = portal.open("/financeiro/creditos", token=finance, heading="Créditos")
    check_page(portal, "console-creditos")
    page.get_by_label("Conta", exact=True).fill(customer.account_id)
    page.get_by_label("Valor (R$)").fill("dez reais")
    page.get_by_label("Motivo").fill("Compensação pela instabilidade de 02/12.")
    page.get_by_role("button", name="Conceder crédito").click()
    expect(page.locator("#credito-valor-erro")).to_contain_text("Informe o valor em reais")
    page.get_by_label("Valor (R$)").fill("1.234,50")
    page.get_by_role("button", name="Conceder crédito").click()
    done = page.get_by_role("status").filter(has_text="Crédito de")
    expect(done).to_contain_text("concedido")
    credit = customer.call("GET", "")["credit_cents"]
    assert credit == 123_450
    expect(done).to_have_text(f"Crédito de R$ 1.234,50 concedido. A conta tem agora {brl(credit)} de crédito.")
    listed = api("GET", "/v1/admin/credits?limit=50", finance)["items"]
    assert (listed[0]["account_id"], listed[0]["amount_cents"]) == (customer.account_id, 123_450)
    rows = page.locator("#creditos-concedidos table tbody tr")
    expect(rows).to_have_count(len(listed))
    assert [row.locator("th").inner_text() for row in rows.all()] == [item["account_id"] for item in listed]
    row = rows.first
    expect(row.locator("td").nth(0)).to_have_text("R$ 1.234,50")
    expect(row.locator("td").nth(1)).to_have_text(brl(credit))
    expect(row.locator("td").nth(2)).to_have_text("Compensação pela instabilidade de 02/12.")
    expect(row.locator("td").nth(3)).to_have_text(listed[0]["granted_by"])
    # Only this account's credits.
    page.get_by_label("Só da conta").fill(customer.account_id)
    page.get_by_role("button", name="Filtrar").click()
    only = api("GET", f"/v1/admin/credits?account_id={customer.account_id}", finance)["items"]
    expect(page.locator("#creditos-concedidos table tbody tr")).to_have_count(len(only))
    check_page(portal, "console-credito-concedido")


def sefin_controls(api):
    """The local stage's fake SEFIN Nacional, over its mutual TLS with the stack's dev certificates."""
    from chalicelib.adapters.service_invoices.factory import build_authority
    from chalicelib.settings import get_settings

    settings = get_settings().model_copy(update={"stage": "local", "sefin_base_url": api.stack.ready["sefin"]})
    return build_authority(settings)


def test_a_failed_nfse_is_listed_with_its_reason(portal, api, finance):
    api("POST", "/v1/_dev/jobs/issue-service-invoices")  # what other tests paid is issued first
    customer = Customer(api, "Conta NFS-e Recusada")
    sub = customer.subscribe("operand-pro", quantity=2)
    message = "Código de tributação nacional inexistente para o município."
    sefin_controls(api).fake_control("POST", "/scenario", {"reject_next": {"code": "E0312", "message": message}})
    api("POST", "/v1/_dev/jobs/issue-service-invoices")
    listed = api("GET", "/v1/admin/service-invoices?status=failed&limit=50", finance)["items"]
    mine = next(item for item in listed if item["invoice_id"] == sub["invoice_id"])
    assert mine["account_id"] == customer.account_id and message in mine["error"]

    page = portal.open("/financeiro/nfse-com-falha", token=finance, heading="NFS-e com falha")
    expect(menu(page).get_by_role("link", name="NFS-e com falha")).to_have_attribute("aria-current", "page")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(listed))
    assert [row.locator("th").inner_text() for row in rows.all()] == [item["invoice_id"] for item in listed]
    row = rows.filter(has_text=sub["invoice_id"])
    expect(row.locator("td").nth(0)).to_have_text(customer.account_id)
    expect(row.locator("td").nth(1)).to_have_text(brl(mine["service_cents"]))
    expect(row.locator("td").nth(2)).to_have_text(mine["error"])
    expect(row.locator("td").nth(3)).to_have_text("E0312")
    check_page(portal, "console-nfse-com-falha")
