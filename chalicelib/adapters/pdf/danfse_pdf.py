"""DANFSe (Documento Auxiliar da NFS-e) rendered locally from the authorised NFS-e XML, pt-BR, with
reportlab, and segno for the QR code: the ADN's DANFSe service is being retired, and NT SE/CGNFS-e
008 makes the document the issuer's to render.

What the layout facts ask for, and how this page answers:
- one A4 page, portrait; header "DANFSe v1.0" / "Documento Auxiliar da NFS-e";
- only what the XML says (Res. CGNFS-e 3/2023 art. 13): every value below is read from the NFS-e
  (a municipality's name from its IBGE code is the same information); a field the XML does not carry
  is printed as "-";
- the access key (infNFSe/@Id without "NFS", 50 digits) and a QR code that opens the national
  public consultation with it (https://www.nfse.gov.br/ConsultaPublica/?tpc=1&chave=<key>), at least
  1.52 cm wide, black on white with its quiet zone;
- tpAmb 2 (produção restrita) prints "NFS-e SEM VALIDADE JURÍDICA";
- blocks: the NFS-e (number, competence, issue instants, DPS), the emitter (prestador), the taker
  (tomador), the service, the values and the ISSQN, the federal withholdings, the net value, and the
  complementary information (Renova's invoice, a substituted NFS-e).

reportlab and segno are imported when a DANFSe is rendered, never on import."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

MM = 72 / 25.4
LEFT, RIGHT, TOP = 10 * MM, 200 * MM, 287 * MM
WIDTH = RIGHT - LEFT
QR_SIZE = 32 * MM
LABEL_FONT, LABEL_SIZE = "Helvetica", 5.8
VALUE_FONT, VALUE_SIZE = "Helvetica", 8.2
BOLD = "Helvetica-Bold"
DASH = "-"
CONSULTATION_URL = "https://www.nfse.gov.br/ConsultaPublica/?tpc=1&chave="
NS = {"n": "http://www.sped.fazenda.gov.br/nfse"}

REGIMES = {"1": "Não optante", "2": "Optante - MEI", "3": "Optante - ME/EPP"}
ISS_RETENTION = {"1": "Não retido", "2": "Retido pelo tomador", "3": "Retido pelo intermediário"}
ISS_TAXATION = {"1": "Operação tributável", "2": "Imunidade", "3": "Exportação de serviço", "4": "Não incidência"}


@dataclass
class DanfseData:
    """What the page prints, read from the NFS-e (`read_nfse`)."""
    access_key: str
    environment: str  # tpAmb: "1" produção, "2" produção restrita
    number: str
    competence: str
    processed_at: str
    dps_issued_at: str
    dps_number: str
    dps_series: str
    issuing_place: str
    emitter: dict = field(default_factory=dict)
    taker: dict = field(default_factory=dict)
    service: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    federal: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def consultation_url(self) -> str:
        return CONSULTATION_URL + self.access_key

    @property
    def without_legal_value(self) -> bool:
        return self.environment != "1"


def _parse(xml: bytes):
    from lxml import etree

    return etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True))


def _t(node, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(path, NS)
    return found.text.strip() if found is not None and found.text and found.text.strip() else None


def _money(value: str | None) -> str:
    if value is None:
        return DASH
    amount = Decimal(value).quantize(Decimal("0.01"))
    whole, cents = f"{abs(amount):.2f}".split(".")
    return ("-" if amount < 0 else "") + "R$ " + f"{int(whole):,}".replace(",", ".") + "," + cents


def _percent(value: str | None) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'))}%".replace(".", ",") if value else DASH


def _instant(value: str | None) -> str:
    if not value:
        return DASH
    moment = datetime.fromisoformat(value)
    return moment.strftime("%d/%m/%Y %H:%M:%S") + " " + moment.strftime("%z")[:3] + ":" + moment.strftime("%z")[3:]


def _day(value: str | None) -> str:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else DASH


def _document(value: str | None) -> str:
    if not value:
        return DASH
    if len(value) == 14:
        return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    if len(value) == 11:
        return f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
    return value


def _cep(value: str | None) -> str:
    return f"{value[:5]}-{value[5:]}" if value and len(value) == 8 else (value or DASH)


def _city(code: str | None) -> str:
    if not code:
        return DASH
    from chalicelib.adapters.service_invoices.municipalities import UnknownMunicipality, municipality

    try:
        return municipality(code).label
    except UnknownMunicipality:
        return code


def _address(node, nac: str) -> tuple[str, str]:
    """(street line, city line) of a TCEndereco / TCEnderecoEmitente."""
    if node is None:
        return DASH, DASH
    street = ", ".join(part for part in (_t(node, "n:xLgr"), _t(node, "n:nro"), _t(node, "n:xCpl"),
                                         _t(node, "n:xBairro")) if part) or DASH
    city = _city(_t(node, f"{nac}n:cMun"))
    cep = _t(node, f"{nac}n:CEP")
    return street, f"{city} - CEP {_cep(cep)}" if cep else city


def read_nfse(nfse_xml: bytes) -> DanfseData:
    """The DANFSe's contents from an authorised NFS-e (layout 1.00/1.01); ValueError when it is not one."""
    root = _parse(nfse_xml)
    info = root.find("n:infNFSe", NS)
    if info is None or not (info.get("Id") or "").startswith("NFS"):
        raise ValueError("not an NFS-e: no infNFSe with an Id")
    dps = info.find("n:DPS/n:infDPS", NS)
    emit, prest, toma = info.find("n:emit", NS), dps.find("n:prest", NS), dps.find("n:toma", NS)
    emit_street, emit_city = _address(emit.find("n:enderNac", NS) if emit is not None else None, "")
    toma_street, toma_city = _address(toma.find("n:end", NS) if toma is not None else None, "n:endNac/")
    trib = dps.find("n:valores/n:trib", NS)
    values = info.find("n:valores", NS)
    fed = trib.find("n:tribFed", NS) if trib is not None else None
    notes = []
    invoice = _t(dps, "n:serv/n:infoCompl/n:xInfComp")
    if invoice:
        notes.append(invoice)
    substituted = _t(dps, "n:subst/n:chSubstda")
    if substituted:
        notes.append(f"Substitui a NFS-e de chave de acesso {substituted}. Motivo: "
                     f"{_t(dps, 'n:subst/n:xMotivo') or _t(dps, 'n:subst/n:cMotivo') or DASH}")
    total_sn = _t(trib, "n:totTrib/n:pTotTribSN")
    if total_sn:
        notes.append(f"Percentual aproximado dos tributos (Simples Nacional): {_percent(total_sn)}")
    other = _t(info, "n:xOutInf")
    if other:
        notes.append(other)
    return DanfseData(
        access_key=info.get("Id")[3:],
        environment=_t(dps, "n:tpAmb") or "2",
        number=_t(info, "n:nNFSe") or DASH,
        competence=_day(_t(dps, "n:dCompet")),
        processed_at=_instant(_t(info, "n:dhProc")),
        dps_issued_at=_instant(_t(dps, "n:dhEmi")),
        dps_number=_t(dps, "n:nDPS") or DASH,
        dps_series=_t(dps, "n:serie") or DASH,
        issuing_place=_t(info, "n:xLocEmi") or DASH,
        emitter={
            "name": _t(emit, "n:xNome") or DASH, "document": _document(_t(emit, "n:CNPJ") or _t(emit, "n:CPF")),
            "im": _t(emit, "n:IM") or DASH, "street": emit_street, "city": emit_city,
            "phone": _t(emit, "n:fone") or DASH, "email": _t(emit, "n:email") or DASH,
            "regime": REGIMES.get(_t(prest, "n:regTrib/n:opSimpNac") or "", DASH),
        },
        taker={
            "name": _t(toma, "n:xNome") or DASH, "document": _document(_t(toma, "n:CNPJ") or _t(toma, "n:CPF")),
            "im": _t(toma, "n:IM") or DASH, "street": toma_street, "city": toma_city,
            "email": _t(toma, "n:email") or DASH,
        },
        service={
            "code": _t(dps, "n:serv/n:cServ/n:cTribNac") or DASH, "code_description": _t(info, "n:xTribNac") or DASH,
            "place": _t(info, "n:xLocPrestacao") or DASH, "incidence": _t(info, "n:xLocIncid") or DASH,
            "description": _t(dps, "n:serv/n:cServ/n:xDescServ") or DASH,
        },
        values={
            "service": _money(_t(dps, "n:valores/n:vServPrest/n:vServ")),
            "unconditional": _money(_t(dps, "n:valores/n:vDescCondIncond/n:vDescIncond")),
            "conditional": _money(_t(dps, "n:valores/n:vDescCondIncond/n:vDescCond")),
            "base": _money(_t(values, "n:vBC")), "rate": _percent(_t(values, "n:pAliqAplic")),
            "iss": _money(_t(values, "n:vISSQN")),
            "taxation": ISS_TAXATION.get(_t(trib, "n:tribMun/n:tribISSQN") or "", DASH),
            "retention": ISS_RETENTION.get(_t(trib, "n:tribMun/n:tpRetISSQN") or "", DASH),
            "total_retained": _money(_t(values, "n:vTotalRet")), "net": _money(_t(values, "n:vLiq")),
        },
        federal={
            "irrf": _money(_t(fed, "n:vRetIRRF")), "csll": _money(_t(fed, "n:vRetCSLL")),
            "cp": _money(_t(fed, "n:vRetCP")), "pis": _money(_t(fed, "n:piscofins/n:vPis")),
            "cofins": _money(_t(fed, "n:piscofins/n:vCofins")),
        },
        notes=notes,
    )


def render_danfse(nfse_xml: bytes) -> bytes:
    """One A4 page, the PDF's bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    data = read_nfse(nfse_xml)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"DANFSe {data.number} - {data.access_key}")
    canvas.setAuthor(data.emitter["name"])
    canvas.setSubject("Documento Auxiliar da NFS-e")
    page = _Page(canvas)
    y = page.header(data, TOP)
    y = page.nfse_block(data, y)
    y = page.party(y, "PRESTADOR / EMITENTE DA NFS-e", data.emitter, [
        ("Inscrição municipal", data.emitter["im"]), ("Simples Nacional", data.emitter["regime"]),
        ("Telefone", data.emitter["phone"])])
    y = page.party(y, "TOMADOR DO SERVIÇO", data.taker, [("Inscrição municipal", data.taker["im"])])
    y = page.service(data, y)
    y = page.values(data, y)
    page.notes(data, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class _Page:
    def __init__(self, canvas):
        self.c = canvas

    # --- blocks -------------------------------------------------------------------------------------
    def header(self, data: DanfseData, top: float) -> float:
        height = 16 * MM
        self.rect(LEFT, top - height, WIDTH, height)
        self.c.setFont(BOLD, 15)
        self.c.drawString(LEFT + 3 * MM, top - 7.5 * MM, "DANFSe v1.0")
        self.c.setFont(VALUE_FONT, 9)
        self.c.drawString(LEFT + 3 * MM, top - 12.5 * MM, "Documento Auxiliar da NFS-e")
        self.c.setFont(BOLD, 9)
        self.c.drawRightString(RIGHT - 3 * MM, top - 6.5 * MM, "NFS-e Nacional")
        self.c.setFont(VALUE_FONT, 7.5)
        ambiente = "Produção" if data.environment == "1" else "Produção restrita (homologação)"
        self.c.drawRightString(RIGHT - 3 * MM, top - 10.5 * MM, f"Ambiente: {ambiente}")
        self.c.drawRightString(RIGHT - 3 * MM, top - 14 * MM, f"Município emissor: {data.issuing_place}")
        y = top - height
        if data.without_legal_value:
            band = 7 * MM
            self.c.setFillColorRGB(0.85, 0, 0)
            self.c.setFont(BOLD, 11)
            self.c.drawCentredString((LEFT + RIGHT) / 2, y - 5 * MM, "NFS-e SEM VALIDADE JURÍDICA")
            self.c.setFillColorRGB(0, 0, 0)
            y -= band
        return y - 1.5 * MM

    def nfse_block(self, data: DanfseData, top: float) -> float:
        height = QR_SIZE + 8 * MM
        self.title(top, "DADOS DA NFS-e")
        top -= 4 * MM
        self.rect(LEFT, top - height, WIDTH, height)
        text_width = WIDTH - QR_SIZE - 10 * MM
        self.field(LEFT + 2 * MM, top - 3 * MM, "Chave de acesso", data.access_key, text_width, font=(BOLD, 9))
        column = text_width / 3
        rows = [
            [("Número da NFS-e", data.number), ("Competência", data.competence),
             ("Emissão da NFS-e", data.processed_at)],
            [("Número da DPS", data.dps_number), ("Série da DPS", data.dps_series),
             ("Emissão da DPS", data.dps_issued_at)],
        ]
        for index, row in enumerate(rows):
            for col, (label, value) in enumerate(row):
                self.field(LEFT + 2 * MM + col * column, top - 12 * MM - index * 9 * MM, label, value, column - 2 * MM)
        self.label(LEFT + 2 * MM, top - height + 5 * MM,
                   "Consulte a autenticidade desta NFS-e em https://www.nfse.gov.br/ConsultaPublica pela chave de "
                   "acesso ou pelo QR code.")
        self.qr(data.consultation_url, RIGHT - QR_SIZE - 4 * MM, top - height + 4 * MM)
        return top - height - 2 * MM

    def party(self, top: float, title: str, party: dict, extra: list[tuple[str, str]]) -> float:
        height = 26.5 * MM
        self.title(top, title)
        top -= 4 * MM
        self.rect(LEFT, top - height, WIDTH, height)
        self.field(LEFT + 2 * MM, top - 3 * MM, "Nome / Razão social", party["name"], WIDTH * 0.62, font=(BOLD, 8.5))
        self.field(LEFT + 2 * MM + WIDTH * 0.64, top - 3 * MM, "CNPJ / CPF", party["document"], WIDTH * 0.34)
        self.field(LEFT + 2 * MM, top - 11 * MM, "Endereço", party["street"], WIDTH * 0.62)
        self.field(LEFT + 2 * MM + WIDTH * 0.64, top - 11 * MM, "Município / CEP", party["city"], WIDTH * 0.34)
        cells = [("E-mail", party.get("email", DASH)), *extra]
        width = (WIDTH - 4 * MM) / len(cells)
        for index, (label, value) in enumerate(cells):
            self.field(LEFT + 2 * MM + index * width, top - 19 * MM, label, value, width - 2 * MM)
        return top - height - 2 * MM

    def service(self, data: DanfseData, top: float) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        lines = _wrap_words(data.service["description"], VALUE_FONT, 8, WIDTH - 4 * MM, stringWidth)[:6]
        height = 24 * MM + 3.6 * MM * max(1, len(lines))
        self.title(top, "SERVIÇO PRESTADO")
        top -= 4 * MM
        self.rect(LEFT, top - height, WIDTH, height)
        code = f"{data.service['code']} - {data.service['code_description']}"
        self.field(LEFT + 2 * MM, top - 3 * MM, "Código de tributação nacional", code, WIDTH - 4 * MM)
        half = (WIDTH - 4 * MM) / 2
        self.field(LEFT + 2 * MM, top - 11 * MM, "Local da prestação", data.service["place"], half - 2 * MM)
        self.field(LEFT + 2 * MM + half, top - 11 * MM, "Local de incidência do ISSQN", data.service["incidence"],
                   half - 2 * MM)
        self.label(LEFT + 2 * MM, top - 20.5 * MM, "Descrição do serviço")
        self.c.setFont(VALUE_FONT, 8)
        for index, line in enumerate(lines):
            self.c.drawString(LEFT + 2 * MM, top - 24 * MM - index * 3.6 * MM, line)
        return top - height - 2 * MM

    def values(self, data: DanfseData, top: float) -> float:
        v, f = data.values, data.federal
        rows = [
            [("Valor do serviço", v["service"]), ("Desconto incondicionado", v["unconditional"]),
             ("Desconto condicionado", v["conditional"]), ("Base de cálculo do ISSQN", v["base"])],
            [("Tributação do ISSQN", v["taxation"]), ("Alíquota aplicada", v["rate"]), ("ISSQN apurado", v["iss"]),
             ("Retenção do ISSQN", v["retention"])],
            [("IRRF retido", f["irrf"]), ("CSLL retida", f["csll"]), ("PIS retido", f["pis"]),
             ("COFINS retida", f["cofins"])],
            [("Contribuição previdenciária retida", f["cp"]), ("Total de retenções", v["total_retained"]),
             ("", ""), ("", "")],
        ]
        height = 9 * MM * len(rows) + 10 * MM
        self.title(top, "VALORES, ISSQN E RETENÇÕES")
        top -= 4 * MM
        self.rect(LEFT, top - height, WIDTH, height)
        width = (WIDTH - 4 * MM) / 4
        for index, row in enumerate(rows):
            for col, (label, value) in enumerate(row):
                if label:
                    self.field(LEFT + 2 * MM + col * width, top - 3 * MM - index * 9 * MM, label, value, width - 2 * MM)
        net_top = top - 9 * MM * len(rows) - 1 * MM
        self.c.setLineWidth(0.5)
        self.c.line(LEFT, net_top, RIGHT, net_top)
        self.c.setFont(BOLD, 10)
        self.c.drawString(LEFT + 2 * MM, net_top - 6.5 * MM, "VALOR LÍQUIDO DA NFS-e")
        self.c.drawRightString(RIGHT - 3 * MM, net_top - 6.5 * MM, v["net"])
        return top - height - 2 * MM

    def notes(self, data: DanfseData, top: float) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        lines = []
        for note in data.notes or [DASH]:
            lines.extend(_wrap_words(note, VALUE_FONT, 7.5, WIDTH - 4 * MM, stringWidth))
        lines = lines[:6]
        height = 6 * MM + 3.4 * MM * len(lines)
        self.title(top, "INFORMAÇÕES COMPLEMENTARES")
        top -= 4 * MM
        self.rect(LEFT, top - height, WIDTH, height)
        self.c.setFont(VALUE_FONT, 7.5)
        for index, line in enumerate(lines):
            self.c.drawString(LEFT + 2 * MM, top - 4.5 * MM - index * 3.4 * MM, line)

    # --- pieces -------------------------------------------------------------------------------------
    def title(self, top: float, text: str) -> None:
        self.c.setFont(BOLD, 7.5)
        self.c.drawString(LEFT, top - 3 * MM, text)

    def rect(self, x, y, width, height) -> None:
        self.c.setLineWidth(0.5)
        self.c.rect(x, y, width, height, stroke=1, fill=0)

    def label(self, x, y, text) -> None:
        self.c.setFont(LABEL_FONT, LABEL_SIZE)
        self.c.drawString(x, y, text)

    def field(self, x, top, label, value, width, font=(VALUE_FONT, VALUE_SIZE)) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.label(x, top - 1.5 * MM, label)
        self.c.setFont(*font)
        self.c.drawString(x, top - 5.2 * MM, _fit(str(value or DASH), font[0], font[1], width, stringWidth))

    def qr(self, url: str, x: float, y: float) -> None:
        """The consultation URL as vector squares on a white quiet zone, caption below."""
        import segno

        qr = segno.make_qr(url, error="m")
        rows = list(qr.matrix_iter(scale=1, border=0))
        module = QR_SIZE / len(rows)
        quiet = 4 * module
        self.c.setFillColorRGB(1, 1, 1)
        self.c.rect(x - quiet, y - quiet, QR_SIZE + 2 * quiet, QR_SIZE + 2 * quiet, stroke=0, fill=1)
        self.c.setFillColorRGB(0, 0, 0)
        for row_index, row in enumerate(rows):
            bottom = y + QR_SIZE - (row_index + 1) * module
            for column_index, dark in enumerate(row):
                if dark:
                    self.c.rect(x + column_index * module, bottom, module, module, stroke=0, fill=1)


def _fit(text: str, font: str, size: float, width: float, string_width) -> str:
    if string_width(text, font, size) <= width:
        return text
    while text and string_width(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _wrap_words(text: str, font: str, size: float, width: float, string_width) -> list[str]:
    lines = []
    for paragraph in (text or DASH).split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}".strip()
            if current and string_width(candidate, font, size) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return [_fit(line, font, size, width, string_width) for line in lines]
