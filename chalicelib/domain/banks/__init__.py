"""The banks Renova issues boletos for. Each module owns every fact the rest of the code needs about
its bank (listed in facts.Bank): codes and names, campo livre and check digits, nosso número widths,
return file layout and ocorrências. Adding a bank is one module listed here, and its tests."""
from chalicelib.domain.banks import banco_do_brasil, bradesco, caixa, itau, santander
from chalicelib.domain.banks.compe import OTHER_ISSUERS
from chalicelib.domain.banks.facts import Bank
from chalicelib.domain.errors import DomainError

BANKS: dict[str, Bank] = {bank.CODE: bank for bank in (banco_do_brasil, santander, caixa, bradesco, itau)}

# COMPE codes of institutions that issue cobrança boletos: reading accepts any of them, building
# only the ones in BANKS.
KNOWN_BANK_NAMES: dict[str, str] = dict(sorted({**OTHER_ISSUERS, **{c: b.NAME for c, b in BANKS.items()}}.items()))


class UnsupportedBank(DomainError):
    """A COMPE code none of the bank modules owns."""


def find_bank(code: str) -> Bank | None:
    return BANKS.get(code)


def bank_for(code: str) -> Bank:
    bank = BANKS.get(code)
    if bank is None:
        raise UnsupportedBank(f"Banco {code} não suportado (suportados: {', '.join(sorted(BANKS))}).")
    return bank


__all__ = ["BANKS", "KNOWN_BANK_NAMES", "Bank", "UnsupportedBank", "bank_for", "find_bank"]
