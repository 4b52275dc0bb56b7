"""Pix Automático rules from the Central Bank's API Pix (v2.9.0) and the rules published with it:
how a subscription's periodicity maps to a recurrence's `periodicidade`, the payer (`devedor`) as a
person (CPF) or a company (CNPJ), the recurrence's amount (fixed `valorRec` or a floor
`valorMinimoRecebedor` when the amount varies), the states a recurrence goes through and which
changes of state may follow which (so replayed and out-of-order notifications change nothing), and
the window in which a cycle charge may be sent (between 10 and 2 days before its due date)."""
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from chalicelib.domain.enums import Periodicity
from chalicelib.domain.errors import DomainError


class RecurrenceStatus(StrEnum):
    CRIADA = "CRIADA"
    APROVADA = "APROVADA"
    REJEITADA = "REJEITADA"
    EXPIRADA = "EXPIRADA"
    CANCELADA = "CANCELADA"


class RetryPolicy(StrEnum):
    NAO_PERMITE = "NAO_PERMITE"
    PERMITE_3R_7D = "PERMITE_3R_7D"  # up to 3 retries within 7 days after the due date


PERIODICIDADE = {
    Periodicity.MONTHLY: "MENSAL",
    Periodicity.QUARTERLY: "TRIMESTRAL",
    Periodicity.SEMIANNUAL: "SEMESTRAL",
    Periodicity.ANNUAL: "ANUAL",
}

# Limits of the specification's fields (RecBase.vinculo).
MAX_CONTRACT = 35
MAX_OBJECT = 35
MAX_DEBTOR_NAME = 140

# A cycle charge is sent no later than 2 and no earlier than 10 days before its due date.
EARLIEST_DAYS_BEFORE_DUE = 10
LATEST_DAYS_BEFORE_DUE = 2

# Which states may follow which: CRIADA ends in one of the other four; an approved recurrence can
# still be cancelled (by the payer in their bank, or by us); the others are final.
_NEXT = {
    RecurrenceStatus.CRIADA: frozenset({RecurrenceStatus.APROVADA, RecurrenceStatus.REJEITADA,
                                        RecurrenceStatus.EXPIRADA, RecurrenceStatus.CANCELADA}),
    RecurrenceStatus.APROVADA: frozenset({RecurrenceStatus.CANCELADA}),
    RecurrenceStatus.REJEITADA: frozenset(),
    RecurrenceStatus.EXPIRADA: frozenset(),
    RecurrenceStatus.CANCELADA: frozenset(),
}
LIVE_STATUSES = frozenset({RecurrenceStatus.CRIADA, RecurrenceStatus.APROVADA})


class PixAutomaticoError(DomainError):
    pass


def periodicidade(periodicity: Periodicity | str) -> str:
    """The recurrence's `calendario.periodicidade` for a subscription's periodicity."""
    return PERIODICIDADE[Periodicity(periodicity)]


def may_follow(current: RecurrenceStatus | str, new: RecurrenceStatus | str) -> bool:
    """True when `new` is a real step forward from `current`: the same state again (a replay) or an
    earlier one (a notification that arrived late) is not."""
    return RecurrenceStatus(new) in _NEXT[RecurrenceStatus(current)]


def is_live(status: RecurrenceStatus | str) -> bool:
    return RecurrenceStatus(status) in LIVE_STATUSES


def reais(cents: int) -> str:
    """Money as the API Pix writes it: "35.00"."""
    if cents < 0:
        raise PixAutomaticoError("Valor negativo não é aceito no Pix Automático.")
    return f"{cents // 100}.{cents % 100:02d}"


def recurrence_amount(amount_cents: int, varies: bool) -> dict:
    """`valor`: the fixed amount of every cycle, or, when it varies (licenses, add-ons), the floor the
    payer's maximum may not go below."""
    if amount_cents <= 0:
        raise PixAutomaticoError("O valor da recorrência deve ser maior que zero.")
    return {"valorMinimoRecebedor": reais(amount_cents)} if varies else {"valorRec": reais(amount_cents)}


def debtor(document: str, name: str) -> dict:
    """`devedor`: a person (11-digit CPF) or a company (14-character CNPJ), by the document's length."""
    digits = re.sub(r"[.\-/\s]", "", document or "").upper()
    clean_name = " ".join((name or "").split())[:MAX_DEBTOR_NAME]
    if not clean_name:
        raise PixAutomaticoError("Informe a razão social ou o nome nos dados de cobrança.")
    if re.fullmatch(r"\d{11}", digits):
        return {"cpf": digits, "nome": clean_name}
    if re.fullmatch(r"[0-9A-Z]{14}", digits):
        return {"cnpj": digits, "nome": clean_name}
    raise PixAutomaticoError("CPF ou CNPJ inválido nos dados de cobrança.")


@dataclass(frozen=True)
class ChargeWindow:
    earliest: date
    latest: date

    def contains(self, day: date) -> bool:
        return self.earliest <= day <= self.latest


def charge_window(due: date) -> ChargeWindow:
    """The days on which the cycle charge of an invoice due on `due` may be sent."""
    return ChargeWindow(due - timedelta(days=EARLIEST_DAYS_BEFORE_DUE), due - timedelta(days=LATEST_DAYS_BEFORE_DUE))


def recurrence_request(*, contract: str, subject: str, debtor_data: dict, start: date,
                       periodicity: Periodicity | str, amount: dict,
                       retry_policy: RetryPolicy = RetryPolicy.PERMITE_3R_7D, location_id: int | None = None,
                       first_payment_txid: str | None = None) -> dict:
    """The body of `POST /rec` (RecSolicitada); with `first_payment_txid`, journey 3's (the immediate
    charge paid with the same QR)."""
    if not contract or len(contract) > MAX_CONTRACT:
        raise PixAutomaticoError("Identificador do contrato inválido para o Pix Automático.")
    body = {
        "vinculo": {"contrato": contract, "objeto": " ".join(subject.split())[:MAX_OBJECT], "devedor": debtor_data},
        "calendario": {"dataInicial": start.isoformat(), "periodicidade": periodicidade(periodicity)},
        "valor": amount,
        "politicaRetentativa": RetryPolicy(retry_policy).value,
    }
    if location_id is not None:
        body["loc"] = location_id
    if first_payment_txid is not None:
        body["ativacao"] = {"dadosJornada": {"txid": first_payment_txid}}
    return body


# --- journey 3: the recurrence and an immediate payment in one QR (`/cob` + `/rec`) ----------------
FIRST_PAYMENT_EXPIRY_SECONDS = 86_400  # the composed QR's immediate charge is payable for a day
_IMMEDIATE_SUFFIX = 9  # random characters after the invoice's: a new authorisation, a new charge


def immediate_txid(invoice_id: str, nonce: str) -> str:
    """The txid of journey 3's immediate charge for an invoice: the invoice id without its separator
    (so the PSP's payment notification names the invoice), then `nonce`, 35 characters in all."""
    nonce = re.sub(r"[^0-9A-Za-z]", "", nonce)
    if len(nonce) < _IMMEDIATE_SUFFIX:
        raise ValueError("the nonce needs 9 alphanumeric characters")
    return (re.sub(r"[^0-9A-Za-z]", "", invoice_id) + nonce)[:TXID_LENGTH]


def invoice_of_immediate_txid(txid: str) -> str | None:
    """The invoice an immediate charge's txid was made for by `immediate_txid`, if it was."""
    if len(txid) != TXID_LENGTH or not txid.startswith("inv"):
        return None
    candidate = f"inv_{txid[3:26]}"
    return candidate if _INVOICE_TXID.fullmatch(candidate) else None


def immediate_charge_request(*, amount_cents: int, debtor_data: dict, key: str, info: str = "") -> dict:
    """The body of `PUT /cob/{txid}` (CobSolicitada) for what is due now."""
    if amount_cents <= 0:
        raise PixAutomaticoError("O valor da cobrança deve ser maior que zero.")
    body = {"calendario": {"expiracao": FIRST_PAYMENT_EXPIRY_SECONDS}, "devedor": debtor_data,
            "valor": {"original": reais(amount_cents)}, "chave": key}
    if info:
        body["solicitacaoPagador"] = info[:140]
    return body


# --- cycle charges (`/cobr`) -------------------------------------------------------------------------
class ChargeStatus(StrEnum):
    CRIADA = "CRIADA"
    ATIVA = "ATIVA"
    CONCLUIDA = "CONCLUIDA"
    EXPIRADA = "EXPIRADA"
    REJEITADA = "REJEITADA"
    CANCELADA = "CANCELADA"


_CHARGE_RANK = {ChargeStatus.CRIADA: 0, ChargeStatus.ATIVA: 1}  # every other state is final (2)
TXID_LENGTH = 35
_INVOICE_TXID = re.compile(r"^inv_([0-9a-f]{23})$")


# The rejection code of the Pix message catalogue the payer's PSP gives a cycle charge above the
# maximum the payer set for the authorisation (ISO 20022 AM02, amount not allowed).
ABOVE_PAYER_MAXIMUM_CODE = "AM02"
UNPAID_ENDINGS = frozenset({ChargeStatus.REJEITADA, ChargeStatus.EXPIRADA, ChargeStatus.CANCELADA})


def unpaid_reason(charge: dict) -> str:
    """Why a cycle charge ended unpaid, as the e-mail that sends the customer to a boleto says it:
    `above_maximum` when the payer's PSP refused the amount (AM02), else `refused`."""
    ending = charge.get("encerramento") if isinstance(charge, dict) else None
    rejection = ending.get("rejeicao") if isinstance(ending, dict) else None
    code = rejection.get("codigo") if isinstance(rejection, dict) else None
    return "above_maximum" if code == ABOVE_PAYER_MAXIMUM_CODE else "refused"


def last_attempt(charge: dict) -> tuple[int, dict | None]:
    """How many attempts the payer's PSP made at a cycle charge (`tentativas`: AGND on the due date,
    then the retries the policy allows) and the latest: {"date", "type", "status", "code"}."""
    attempts = [a for a in charge.get("tentativas") or [] if isinstance(a, dict)]
    if not attempts:
        return 0, None
    latest = max(attempts, key=lambda a: str(a.get("dataLiquidacao") or ""))
    rejection = latest.get("rejeicao") if isinstance(latest.get("rejeicao"), dict) else {}
    return len(attempts), {"date": latest.get("dataLiquidacao"), "type": latest.get("tipo"),
                           "status": latest.get("status"), "code": rejection.get("codigo")}


def charge_may_follow(current: ChargeStatus | str | None, new: ChargeStatus | str) -> bool:
    """True when `new` is a step forward for a cycle charge: CRIADA → ATIVA → one final state."""
    if current is None:
        return True
    return _CHARGE_RANK.get(ChargeStatus(current), 2) < _CHARGE_RANK.get(ChargeStatus(new), 2)


def cycle_txid(rec_id: str, invoice_id: str) -> str:
    """The cycle charge's txid, the same every time for one recurrence and invoice (so a rerun or a
    retry after a crash asks the PSP for the same charge, which it refuses to create twice): the
    invoice id without its separator, then a digest of both, 35 alphanumeric characters."""
    import hashlib

    digest = hashlib.sha256(f"{rec_id}|{invoice_id}".encode()).hexdigest()
    return (re.sub(r"[^0-9A-Za-z]", "", invoice_id) + digest)[:TXID_LENGTH]


def invoice_of_txid(rec_id: str, txid: str) -> str | None:
    """The invoice a cycle charge's txid was made for, when it was made by `cycle_txid` for `rec_id`."""
    candidate = f"inv_{txid[3:26]}" if txid.startswith("inv") else ""
    if _INVOICE_TXID.fullmatch(candidate) and cycle_txid(rec_id, candidate) == txid:
        return candidate
    return None


def create_cycle_charge(*, rec_id: str, due: date, amount_cents: int, today: date, receiver: dict,
                        info: str = "") -> dict:
    """The body of `PUT /cobr/{txid}` (CobRSolicitada) for an invoice due on `due`; refused outside
    the window of 10 to 2 days before it."""
    if not charge_window(due).contains(today):
        raise PixAutomaticoError("A cobrança do Pix Automático só pode ser enviada de 10 a 2 dias antes do "
                                 "vencimento.")
    if amount_cents <= 0:
        raise PixAutomaticoError("O valor da cobrança deve ser maior que zero.")
    body = {"idRec": rec_id, "calendario": {"dataDeVencimento": due.isoformat()},
            "valor": {"original": reais(amount_cents)}, "ajusteDiaUtil": True, "recebedor": receiver}
    if info:
        body["infoAdicional"] = info[:140]
    return body


def cents(value: str) -> int:
    """"35.00" → 3500."""
    whole, _, fraction = value.partition(".")
    return int(whole) * 100 + int((fraction + "00")[:2])
