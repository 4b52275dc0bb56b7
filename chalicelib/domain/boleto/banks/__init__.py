"""The banks whose campo livre Renova builds, and the COMPE codes it recognises when reading."""
from types import ModuleType

from chalicelib.domain.boleto.banks import banco_do_brasil, bradesco, caixa, itau, santander
from chalicelib.domain.boleto.banks.common import BankPart, BeneficiaryAccount

SUPPORTED: dict[str, ModuleType] = {
    module.CODE: module for module in (banco_do_brasil, santander, caixa, bradesco, itau)
}

# COMPE codes of institutions that issue cobrança boletos; reading accepts any of them, building
# only the ones in SUPPORTED.
KNOWN_BANK_NAMES: dict[str, str] = {
    "001": banco_do_brasil.NAME,
    "003": "Banco da Amazônia S.A.",
    "004": "Banco do Nordeste do Brasil S.A.",
    "021": "Banestes S.A.",
    "033": santander.NAME,
    "037": "Banco do Estado do Pará S.A.",
    "041": "Banco do Estado do Rio Grande do Sul S.A.",
    "047": "Banco do Estado de Sergipe S.A.",
    "070": "BRB - Banco de Brasília S.A.",
    "077": "Banco Inter S.A.",
    "085": "Cooperativa Central Ailos",
    "104": caixa.NAME,
    "136": "Unicred do Brasil",
    "208": "Banco BTG Pactual S.A.",
    "212": "Banco Original S.A.",
    "237": bradesco.NAME,
    "246": "Banco ABC Brasil S.A.",
    "260": "Nu Pagamentos S.A.",
    "290": "PagSeguro Internet S.A.",
    "323": "Mercado Pago",
    "336": "Banco C6 S.A.",
    "341": itau.NAME,
    "389": "Banco Mercantil do Brasil S.A.",
    "422": "Banco Safra S.A.",
    "633": "Banco Rendimento S.A.",
    "655": "Banco Votorantim S.A.",
    "707": "Banco Daycoval S.A.",
    "745": "Banco Citibank S.A.",
    "748": "Banco Cooperativo Sicredi S.A.",
    "756": "Banco Cooperativo do Brasil S.A. (Sicoob)",
}

__all__ = ["SUPPORTED", "KNOWN_BANK_NAMES", "BankPart", "BeneficiaryAccount"]
