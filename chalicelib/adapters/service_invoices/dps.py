"""DpsData -> the DPS of the national layout (leiaute 1.01), built with nfelib's xsdata bindings and
validated against the official XSD before anyone signs it.

What goes where (Anexo I, leiaute and regras de negócio of the DPS; the rule codes are the SEFIN's):

- infDPS/@Id per layout.dps_id; tpAmb 1 (produção) or 2 (produção restrita) from the constructor;
  dhEmi with its offset; verAplic; serie and nDPS as given; dCompet; tpEmit 1 (the provider issues);
  cLocEmi = the provider's municipality.
- prest: CNPJ, IM, e-mail, phone and regTrib only. Its name and address are NOT sent when the
  provider issues (E0121, E0128: the SEFIN takes them from the national registry).
  regTrib/opSimpNac: 1 não optante, 2 MEI, 3 ME/EPP (then regApTribSN 1: everything through the
  Simples); regEspTrib 0.
- toma: CPF or CNPJ, name, national address (cMun, CEP, street, number or "S/N", complement,
  district) when known, e-mail.
- serv: cLocPrestacao = the provider's municipality (software delivered from there), cTribNac,
  xDescServ, and infoCompl/xInfComp = "Fatura <invoice id>" (free text; the local fake SEFIN reads
  Renova's invoice back from it).
- valores: vServPrest/vServ; vDescCondIncond/vDescIncond for coupons and credits (only when > 0);
  trib/tribMun: tribISSQN 1 (operação tributável), tpRetISSQN 2 when the taker retains the ISS, else
  1; pAliq only where the rules ask for it (see `_aliquot`); trib/tribFed with vRetIRRF, vRetCSLL and
  piscofins (CST 01, vPis, vCofins, tpRetPisCofins) for the B2B withholdings; trib/totTrib:
  pTotTribSN for a Simples ME/EPP, else indTotTrib 0 (Decreto 8.264/2014: no estimate informed).
- subst (chSubstda, cMotivo, xMotivo) when the DPS replaces an NFS-e."""
import unicodedata
from decimal import Decimal, InvalidOperation

from chalicelib.adapters.service_invoices import layout, schemas
from chalicelib.adapters.service_invoices.schemas import LayoutError
from chalicelib.domain.service_invoices import Address, DpsData, Provider, Taker, TaxRegime, Withholdings

APP_VERSION = "Renova-1.0"  # verAplic: at most 20 characters

OP_SIMPLES = {TaxRegime.NOT_SIMPLES: "1", TaxRegime.MEI: "2", TaxRegime.SIMPLES: "3"}
CST_BASIC_RATE = "01"  # PIS/COFINS: operação tributável com alíquota básica
NO_NUMBER = "S/N"

# tpRetPisCofins by (PIS retained, COFINS retained, CSLL retained), leiaute 1.01 (TSTipoRetPISCofins).
_PIS_COFINS_RETENTION = {
    (False, False, False): "0", (True, True, True): "3", (True, True, False): "4",
    (True, False, False): "5", (False, True, False): "6", (False, True, True): "7",
    (False, False, True): "8", (True, False, True): "9",
}
_TYPOGRAPHY = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2018": "'", "\u2019": "'",
                             "\u201c": '"', "\u201d": '"', "\u2026": "...", "\u00a0": " ", "\u2022": "-"})


def pis_cofins_retention(pis: bool, cofins: bool, csll: bool) -> str:
    return _PIS_COFINS_RETENTION[(bool(pis), bool(cofins), bool(csll))]


def text(value: str | None, multiline: bool = False) -> str | None:
    """A string as the layout's TSString accepts it: no leading or trailing blanks, Latin-1 only
    (typographic dashes and quotes become their ASCII forms; other characters stay and the XSD
    names the field that carries them), line breaks only where the field allows them."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", str(value)).translate(_TYPOGRAPHY)
    if multiline:
        lines = [" ".join(line.split()) for line in value.replace("\r\n", "\n").split("\n")]
        value = "\n".join(lines).strip()
    else:
        value = " ".join(value.split())
    return value or None


def _rate(value: str, field: str, places: str = "0.01") -> str:
    try:
        rate = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise LayoutError(field, f"not a percentage: {value!r}") from None
    return str(rate.quantize(Decimal(places)))


def _aliquot(provider: Provider, iss_retained: bool, agreement_active: bool) -> str | None:
    """pAliq: the municipality of incidence parametrises the rate itself while its agreement with the
    national system is active, so the DPS carries it only where Anexo I asks for it:
    - MEI: never (E0600);
    - não optante: only when the municipality's agreement is not active (E0617/E0619);
    - Simples ME/EPP (apuração pelo SN): only when the taker retains the ISS (E0621/E0625 with an
      active agreement, E0628/E0631 without one)."""
    if provider.tax_regime == TaxRegime.MEI:
        return None
    if provider.tax_regime == TaxRegime.NOT_SIMPLES:
        needed = not agreement_active
    else:
        needed = iss_retained
    return _rate(provider.iss_rate, "infDPS/valores/trib/tribMun/pAliq") if needed else None


class DpsBuilder:
    """`build(dps)` -> (DPS id, DPS XML bytes, unsigned, valid against DPS_v1.01.xsd).

    environment: layout.RESTRICTED (produção restrita, tpAmb 2) or layout.PRODUCTION (tpAmb 1).
    incidence_agreement_active: whether the municipality of incidence has an active agreement with
    the national system (decides pAliq, see `_aliquot`); true for every municipality that adopted it."""

    def __init__(self, environment: str = layout.RESTRICTED, app_version: str = APP_VERSION,
                 incidence_agreement_active: bool = True):
        self.tp_amb = layout.environment_code(environment)
        if not 1 <= len(app_version) <= 20:
            raise ValueError("verAplic has 1 to 20 characters")
        self.app_version = app_version
        self.agreement_active = incidence_agreement_active

    def dps_id(self, dps: DpsData) -> str:
        try:
            return layout.dps_id(dps.provider.ibge_city_code, dps.provider.cnpj, dps.series, dps.number)
        except ValueError as exc:
            raise LayoutError("infDPS/@Id", str(exc)) from None

    def build(self, dps: DpsData) -> tuple[str, bytes]:
        binding = self.binding(dps)
        xml = serialize(binding)
        schemas.validate(xml, schemas.DPS)
        return binding.infDPS.Id, xml

    def binding(self, dps: DpsData):
        from nfelib.nfse.bindings.v1_0 import Dps, TcinfDps
        from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import TsemitenteDps, TstipoAmbiente

        try:
            issued_at = layout.xml_datetime(dps.issued_at)
        except ValueError as exc:
            raise LayoutError("infDPS/dhEmi", str(exc)) from None
        info = TcinfDps(
            Id=self.dps_id(dps),
            tpAmb=TstipoAmbiente(self.tp_amb),
            dhEmi=issued_at,
            verAplic=self.app_version,
            serie=str(dps.series).strip(),
            nDPS=str(dps.number),
            dCompet=dps.competence.isoformat(),
            tpEmit=TsemitenteDps("1"),
            cLocEmi=dps.provider.ibge_city_code,
            subst=_substitution(dps),
            prest=_provider(dps.provider),
            toma=_taker(dps.taker),
            serv=_service(dps),
            valores=self._values(dps),
        )
        return Dps(infDPS=info, versao=layout.LAYOUT_VERSION)

    def _values(self, dps: DpsData):
        from nfelib.nfse.bindings.v1_0 import (TcinfoTributacao, TcinfoValores, TctribMunicipal,
                                               TctribTotal, TcvdescCondIncond, TcvservPrest)
        from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import (TstipoIndTotTrib, TstipoRetIssqn,
                                                                  TstribIssqn)

        held = dps.withholdings
        municipal = TctribMunicipal(
            tribISSQN=TstribIssqn("1"),
            tpRetISSQN=TstipoRetIssqn("2" if held.iss_retained else "1"),
            pAliq=_aliquot(dps.provider, held.iss_retained, self.agreement_active),
        )
        if dps.provider.tax_regime == TaxRegime.SIMPLES:
            if not dps.provider.simples_total_rate:
                raise LayoutError("infDPS/valores/trib/totTrib/pTotTribSN",
                                  "a Simples Nacional ME/EPP informs its approximate total tax rate "
                                  "(Provider.simples_total_rate); the layout refuses indTotTrib for it (E0712)")
            total = TctribTotal(pTotTribSN=_rate(dps.provider.simples_total_rate,
                                                 "infDPS/valores/trib/totTrib/pTotTribSN"))
        else:
            total = TctribTotal(indTotTrib=TstipoIndTotTrib("0"))
        discount = None
        if dps.discount_cents:
            discount = TcvdescCondIncond(vDescIncond=layout.money(dps.discount_cents))
        return TcinfoValores(
            vServPrest=TcvservPrest(vServ=layout.money(dps.service_amount_cents)),
            vDescCondIncond=discount,
            trib=TcinfoTributacao(tribMun=municipal, tribFed=_federal(held), totTrib=total),
        )


def _substitution(dps: DpsData):
    if not dps.substitutes_access_key:
        return None
    from nfelib.nfse.bindings.v1_0 import Tcsubstituicao
    from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import TscodJustSubst

    try:
        code = TscodJustSubst(dps.substitution_code)
    except ValueError:
        raise LayoutError("infDPS/subst/cMotivo",
                          f"{dps.substitution_code!r} is not a substitution reason (01-05, 99)") from None
    reason = text(dps.substitution_reason)
    if code.value == "99" and not reason:
        raise LayoutError("infDPS/subst/xMotivo", "reason 99 (outros) needs its description (E0078)")
    return Tcsubstituicao(chSubstda=dps.substitutes_access_key, cMotivo=code, xMotivo=reason)


def _provider(provider: Provider):
    from nfelib.nfse.bindings.v1_0 import TcinfoPrestador, TcregTrib
    from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import (TsopSimpNac, TsregEspTrib,
                                                              TsregimeApuracaoSimpNac)

    regime = TcregTrib(
        opSimpNac=TsopSimpNac(OP_SIMPLES[TaxRegime(provider.tax_regime)]),
        regApTribSN=TsregimeApuracaoSimpNac("1") if provider.tax_regime == TaxRegime.SIMPLES else None,
        regEspTrib=TsregEspTrib("0"),
    )
    return TcinfoPrestador(CNPJ=layout.digits(provider.cnpj), IM=text(provider.municipal_registration),
                           fone=layout.digits(provider.phone) or None, email=text(provider.email),
                           regTrib=regime)


def _required(value: str | None, field: str, multiline: bool = False) -> str:
    cleaned = text(value, multiline)
    if cleaned is None:
        raise LayoutError(field, "required and empty")
    return cleaned


def _taker(taker: Taker):
    from nfelib.nfse.bindings.v1_0 import TcinfoPessoa

    document = layout.digits(taker.document)
    if len(document) not in (11, 14):
        raise LayoutError("infDPS/toma/CPF" if len(document) < 13 else "infDPS/toma/CNPJ",
                          f"a taker is identified by a CPF (11 digits) or a CNPJ (14), got {taker.document!r}")
    return TcinfoPessoa(
        CPF=document if len(document) == 11 else None,
        CNPJ=document if len(document) == 14 else None,
        xNome=_required(taker.name, "infDPS/toma/xNome"),
        end=_address(taker.address),
        email=text(taker.email),
    )


def _address(address: Address | None):
    if address is None:
        return None
    from nfelib.nfse.bindings.v1_0 import Tcendereco, TcenderNac

    return Tcendereco(
        endNac=TcenderNac(cMun=address.ibge_city_code, CEP=layout.digits(address.cep)),
        xLgr=_required(address.street, "infDPS/toma/end/xLgr"),
        nro=text(address.number) or NO_NUMBER,
        xCpl=text(address.complement),
        xBairro=_required(address.district, "infDPS/toma/end/xBairro"),
    )


def _service(dps: DpsData):
    from nfelib.nfse.bindings.v1_0 import Tccserv, TcinfoCompl, TclocPrest, Tcserv

    complement = TcinfoCompl(xInfComp=f"Fatura {text(dps.invoice_id)}") if text(dps.invoice_id) else None
    return Tcserv(
        locPrest=TclocPrest(cLocPrestacao=dps.provider.ibge_city_code),
        cServ=Tccserv(cTribNac=dps.national_service_code,
                      xDescServ=_required(dps.service_description, "infDPS/serv/cServ/xDescServ", True)),
        infoCompl=complement,
    )


def _federal(held: Withholdings):
    if not any((held.irrf_cents, held.csll_cents, held.pis_cents, held.cofins_cents)):
        return None
    from nfelib.nfse.bindings.v1_0 import TctribFederal, TctribOutrosPisCofins
    from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import TstipoCst, TstipoRetPiscofins

    pis_cofins = None
    if held.pis_cents or held.cofins_cents:
        pis_cofins = TctribOutrosPisCofins(
            CST=TstipoCst(CST_BASIC_RATE),
            vPis=layout.money(held.pis_cents) if held.pis_cents else None,
            vCofins=layout.money(held.cofins_cents) if held.cofins_cents else None,
            tpRetPisCofins=TstipoRetPiscofins(pis_cofins_retention(held.pis_cents > 0, held.cofins_cents > 0,
                                                                   held.csll_cents > 0)),
        )
    return TctribFederal(
        piscofins=pis_cofins,
        vRetIRRF=layout.money(held.irrf_cents) if held.irrf_cents else None,
        vRetCSLL=layout.money(held.csll_cents) if held.csll_cents else None,
    )


def serialize(binding) -> bytes:
    """An nfelib binding as compact UTF-8 XML with the national namespace as the default one."""
    from xsdata.formats.dataclass.serializers import XmlSerializer
    from xsdata.formats.dataclass.serializers.config import SerializerConfig

    serializer = XmlSerializer(config=SerializerConfig(indent=None, xml_declaration=True, encoding="UTF-8"))
    return serializer.render(binding, ns_map={None: layout.NAMESPACE}).encode("utf-8")
