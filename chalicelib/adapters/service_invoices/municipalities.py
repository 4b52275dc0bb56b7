"""Brazilian municipalities by their 7-digit IBGE code, offline, from the IBGE table that PyNFe ships
(`pynfe/data/MunIBGE/MunIBGE-UF*.txt`, read through `pynfe.utils`). Why PyNFe and not brutils: see
docs/dependencies.md (brutils 2.5.0 asks IBGE's web API at every lookup and pins holidays<0.99).

The first two digits of an IBGE municipality code are its state's IBGE code (43 = RS, 35 = SP)."""
from dataclasses import dataclass
from functools import lru_cache


class UnknownMunicipality(ValueError):
    pass


@dataclass(frozen=True)
class Municipality:
    code: str  # 7 digits
    name: str  # as IBGE writes it, with accents: "Caxias do Sul"
    uf: str  # "RS"

    @property
    def label(self) -> str:
        return f"{self.name} - {self.uf}"


@lru_cache(maxsize=1)
def _state_by_code() -> dict[str, str]:
    from pynfe.utils.flags import CODIGOS_ESTADOS

    return {code: uf for uf, code in CODIGOS_ESTADOS.items() if uf not in ("AN", "EX")}


def uf_of(code: str) -> str:
    uf = _state_by_code().get(str(code)[:2])
    if uf is None or len(str(code)) != 7 or not str(code).isdigit():
        raise UnknownMunicipality(f"not an IBGE municipality code: {code!r}")
    return uf


@lru_cache(maxsize=8192)
def municipality(code: str) -> Municipality:
    """The municipality with this IBGE code; UnknownMunicipality when the table has none."""
    from pynfe.utils import obter_municipio_por_codigo

    uf = uf_of(code)
    try:
        name = obter_municipio_por_codigo(str(code), uf)
    except ValueError:
        raise UnknownMunicipality(f"IBGE code {code} is not in the municipality table") from None
    return Municipality(str(code), name, uf)


def ibge_code(name: str, uf: str) -> str:
    """The IBGE code of a municipality by its name and state, ignoring case and accents
    ("sao paulo", "SP" -> "3550308"); UnknownMunicipality when there is none."""
    from pynfe.utils import obter_codigo_por_municipio

    uf = uf.strip().upper()
    if uf not in set(_state_by_code().values()):
        raise UnknownMunicipality(f"unknown state {uf!r}")
    try:
        return obter_codigo_por_municipio(name.strip(), uf)
    except ValueError:
        raise UnknownMunicipality(f"no municipality named {name!r} in {uf}") from None


def is_municipality(code: str) -> bool:
    try:
        municipality(code)
    except UnknownMunicipality:
        return False
    return True
