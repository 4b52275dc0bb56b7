"""What every bank module receives and returns, and the input checks they share."""
from dataclasses import dataclass

from chalicelib.domain.errors import DomainError


class InvalidField(DomainError):
    """An account or nosso número the bank's layout cannot hold; build_boleto reports it as the
    BoletoError code invalid_field."""


@dataclass(frozen=True)
class BeneficiaryAccount:
    """How the bank knows the beneficiary; each bank uses only some of these (raw input)."""

    agency: str = ""
    account: str = ""
    wallet: str = ""
    agreement: str = ""


@dataclass(frozen=True)
class BankPart:
    """What a bank contributes to a boleto."""

    campo_livre: str  # barcode positions 20-44
    nosso_numero: str  # as printed, with its check digit where the bank has one
    beneficiary_code: str  # "Agência/Código do beneficiário" as printed
    wallet: str  # "Carteira" as printed


def digits_only(value: object, label: str) -> str:
    """``value`` as a string of ASCII digits, surrounding spaces removed."""
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or not text.isascii():
        raise InvalidField(f"{label}: informe somente números.")
    return text


def numeric(value: object, label: str, length: int, *, exact: bool = False) -> str:
    """Digits of ``value`` left-padded with zeros to ``length`` (or required to have it exactly)."""
    text = digits_only(value, label)
    if len(text) > length or (exact and len(text) != length):
        size = f"exatamente {length}" if exact else f"até {length}"
        raise InvalidField(f"{label}: deve ter {size} dígitos (recebido {len(text)}).")
    return text.zfill(length)


def invalid(message: str) -> InvalidField:
    return InvalidField(message)
