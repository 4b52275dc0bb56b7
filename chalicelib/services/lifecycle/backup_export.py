"""The backup file: a ZIP of CSV files built from the account's items, made to open correctly in a
Brazilian spreadsheet — UTF-8 with BOM, `;` separator, dates dd/mm/aaaa, amounts with decimal comma.

Items come from one Query of the account's partition, as plain dicts grouped by their `type`. Each
file has fixed columns; a column reads the first attribute present among its candidates, so the
export keeps working when an item type adds attributes or names an id `id` instead of `invoice_id`.
A type without a file is left out (invitations, backups, internal markers).
"""
import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from chalicelib.domain.data_lifecycle import local

ROLE_LABELS = {"owner": "Proprietário", "admin": "Administrador", "finance": "Responsável financeiro",
               "member": "Membro"}
REQUEST_TYPE_LABELS = {"nota_fiscal": "Nota fiscal", "licenses": "Licenças", "other": "Outro"}
AUTHOR_LABELS = {"customer": "Cliente", "finance": "Equipe financeira"}
# Characters that make a spreadsheet read a cell as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- cell formats --------------------------------------------------------------------------------
def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, set)):
        return ", ".join(text(v) for v in value)
    value = str(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def as_date(value) -> str:
    parsed = _parse_instant(value)
    if parsed is None:
        return ""
    day = local(parsed).date() if isinstance(parsed, datetime) else parsed
    return day.strftime("%d/%m/%Y")


def as_datetime(value) -> str:
    parsed = _parse_instant(value)
    if parsed is None:
        return ""
    if not isinstance(parsed, datetime):
        return parsed.strftime("%d/%m/%Y")
    return local(parsed).strftime("%d/%m/%Y %H:%M")


def money(value) -> str:
    """Centavos → '1234,56' (decimal comma, no thousands separator: every spreadsheet reads it)."""
    if value is None or value == "":
        return ""
    cents = int(Decimal(str(value)))
    reais, centavos = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{reais},{centavos:02d}"


def integer(value) -> str:
    return "" if value is None or value == "" else str(int(Decimal(str(value))))


def yes_no(value) -> str:
    return "" if value is None else ("Sim" if value else "Não")


def labelled(labels: dict) -> Callable:
    return lambda value: labels.get(value, text(value))


def document(value) -> str:
    digits = str(value or "")
    if len(digits) == 11:
        return f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}"
    if len(digits) == 14:
        return f"{digits[:2]}.{digits[2:5]}.{digits[5:8]}/{digits[8:12]}-{digits[12:]}"
    return text(value)


def _parse_instant(value) -> date | datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, (date, datetime)):
        return value
    raw = str(value)
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


# --- files ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: str
    sources: tuple[str, ...]  # attribute paths, "boleto.nosso_numero" reads inside a map
    format: Callable = text

    def cell(self, row: dict) -> str:
        for source in self.sources:
            value = _lookup(row, source)
            if value not in (None, ""):
                return self.format(value)
        return ""


def _lookup(row: dict, path: str):
    value = row
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def col(header: str, *sources: str, format: Callable = text) -> Column:
    return Column(header, sources, format)


@dataclass(frozen=True)
class CsvFile:
    name: str
    columns: tuple[Column, ...]
    rows: Callable[[dict[str, list[dict]]], Iterable[dict]]


def _of(*types: str) -> Callable[[dict[str, list[dict]]], list[dict]]:
    def rows(grouped: dict[str, list[dict]]) -> list[dict]:
        found = [row for kind in types for row in grouped.get(kind, [])]
        return sorted(found, key=lambda row: str(row.get("sk", "")))
    return rows


def _billing_rows(grouped: dict[str, list[dict]]) -> list[dict]:
    rows = []
    for account in grouped.get("account", []):
        billing = dict(account.get("billing_data") or {})
        rows.append({**account, **billing, "address": billing.get("address") or {}})
    return rows


def _invoice_lines(grouped: dict[str, list[dict]]) -> list[dict]:
    """Lines embedded in invoices (a `lines` list) and lines stored as items of their own."""
    lines = []
    for invoice in _of("invoice")(grouped):
        invoice_id = invoice.get("invoice_id") or invoice.get("id")
        lines.extend({"invoice_id": invoice_id, **line} for line in invoice.get("lines") or []
                     if isinstance(line, dict))
    return lines + _of("invoice_line")(grouped)


FILES: tuple[CsvFile, ...] = (
    CsvFile("dados_de_faturamento.csv", (
        col("Conta", "account_id"), col("Nome da conta", "name"), col("Situação", "status"),
        col("Razão social", "legal_name"), col("CPF/CNPJ", "document", format=document),
        col("Inscrição estadual", "state_registration"), col("Logradouro", "address.street"),
        col("Número", "address.number"), col("Complemento", "address.complement"),
        col("Bairro", "address.district"), col("Cidade", "address.city"), col("UF", "address.state"),
        col("CEP", "address.cep"), col("E-mails de cobrança", "billing_emails"),
        col("Dia de vencimento", "due_day", format=integer),
        col("Forma de pagamento padrão", "default_payment_method"),
        col("Crédito em conta (R$)", "credit_cents", format=money),
        col("Criada em", "created_at", format=as_date),
    ), _billing_rows),
    CsvFile("membros.csv", (
        col("Usuário", "user_id"), col("E-mail", "email"),
        col("Papel", "role", format=labelled(ROLE_LABELS)), col("Ativo", "active", format=yes_no),
        col("Convite pendente", "invited", format=yes_no), col("Desde", "created_at", format=as_date),
    ), _of("member")),
    CsvFile("assinaturas.csv", (
        col("Assinatura", "subscription_id", "id"), col("Produto", "product_id"),
        col("Periodicidade", "periodicity"), col("Quantidade", "quantity", format=integer),
        col("Situação", "status"),
        col("Início do período", "current_period_start", "period_start", format=as_date),
        col("Fim do período", "current_period_end", "period_end", format=as_date),
        col("Modo de renovação", "renewal_mode"), col("Renovação automática", "auto_renew", format=yes_no),
        col("Forma de pagamento", "payment_method"),
        col("Próximo vencimento", "next_due_date", format=as_date),
        col("Armazenamento (GB)", "storage_gb", format=integer),
        col("Criada em", "created_at", format=as_date),
    ), _of("subscription")),
    CsvFile("faturas.csv", (
        col("Fatura", "invoice_id", "id"), col("Situação", "status"),
        col("Emissão", "issue_date", "issued_at", "issued_on", "created_at", format=as_date),
        col("Vencimento", "due_date", format=as_date),
        col("Total (R$)", "total_cents", "amount_cents", format=money),
        col("Pago (R$)", "paid_cents", format=money), col("Forma de pagamento", "payment_method"),
        col("Nosso número", "nosso_numero", "boleto.nosso_numero"),
        col("Linha digitável", "digitable_line", "boleto.digitable_line"),
    ), _of("invoice")),
    CsvFile("itens_de_fatura.csv", (
        col("Fatura", "invoice_id"), col("Descrição", "description"), col("Tipo", "kind"),
        col("Assinatura", "subscription_id"),
        col("Início do período", "period_start", format=as_date),
        col("Fim do período", "period_end", format=as_date),
        col("Valor (R$)", "amount_cents", format=money),
    ), _invoice_lines),
    CsvFile("pagamentos.csv", (
        col("Pagamento", "payment_id", "id"), col("Fatura", "invoice_id"),
        col("Valor (R$)", "amount_cents", format=money), col("Forma", "method"),
        col("Pago em", "paid_at", format=as_datetime), col("Origem", "source"),
    ), _of("payment")),
    CsvFile("solicitacoes.csv", (
        col("Solicitação", "request_id"), col("Tipo", "request_type", format=labelled(REQUEST_TYPE_LABELS)),
        col("Situação", "status"), col("Aberta em", "created_at", format=as_datetime),
        col("Última atividade", "last_activity_at", format=as_datetime), col("Texto", "text"),
    ), _of("request")),
    CsvFile("mensagens_das_solicitacoes.csv", (
        col("Solicitação", "request_id"), col("Autor", "author", format=labelled(AUTHOR_LABELS)),
        col("Enviada em", "created_at", format=as_datetime), col("Mensagem", "text"),
    ), _of("request_message")),
)


def group_by_type(items: Iterable[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = {}
    for item in items:
        grouped.setdefault(str(item.get("type", "")), []).append(item)
    return grouped


def csv_bytes(csv_file: CsvFile, grouped: dict[str, list[dict]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in csv_file.columns])
    for row in csv_file.rows(grouped):
        writer.writerow([column.cell(row) for column in csv_file.columns])
    return buffer.getvalue().encode("utf-8-sig")


def build_backup_zip(items: Iterable[dict]) -> bytes:
    grouped = group_by_type(items)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zip_file:
        for csv_file in FILES:
            zip_file.writestr(csv_file.name, csv_bytes(csv_file, grouped))
    return archive.getvalue()
