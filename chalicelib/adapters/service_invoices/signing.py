"""XMLDSig for the national layout, with signxml: an enveloped signature over the element that carries
the document's Id (infDPS, infPedReg; infNFSe and infEvento for the fake SEFIN), placed as that
element's next sibling, as the XSDs want (TCDPS: infDPS then ds:Signature).

Algorithms: RSA-SHA256 (SignatureMethod xmldsig-more#rsa-sha256), SHA-256 digest, exclusive XML
canonicalisation (http://www.w3.org/2001/10/xml-exc-c14n#) for SignedInfo and as the reference's
transform after enveloped-signature, the certificate and its chain in KeyInfo/X509Data, the ds
namespace as the default one (no `ds:` prefix), as the NF-e family writes it. The layout's XSD accepts
any algorithm (xmldsig-core-schema); RSA-SHA256 with exclusive C14N is what a published integration
got accepted by the SEFIN's produção restrita, and it also sidesteps a canonicalisation bug of the
libxml2 bundled with lxml 6.2 (inclusive C14N of a subtree writes `xmlns=""` on grandchildren of a
default-namespace declaration, so signxml could not verify inclusive signatures whose Signature uses the
default namespace). SHA-1 is not offered. docs/service-invoices-adapter.md has the sources.

Also the cancellation event (pedRegEvento with e101101), built with nfelib's bindings, validated against
pedRegEvento_v1.01.xsd and signed the same way."""
from datetime import datetime

from chalicelib.adapters.service_invoices import layout, schemas
from chalicelib.adapters.service_invoices.certificates import A1Certificate
from chalicelib.adapters.service_invoices.schemas import LayoutError

SIGNATURE_METHOD = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
DIGEST_METHOD = "http://www.w3.org/2001/04/xmlenc#sha256"
C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

_SIGNED_ELEMENTS = ("infDPS", "infPedReg", "infNFSe", "infEvento")


def _parse(xml: bytes):
    from lxml import etree

    return etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True,
                                                        remove_blank_text=False))


def sign(xml: bytes, certificate: A1Certificate) -> bytes:
    """The document with an enveloped XMLDSig over its (only) Id-carrying info element."""
    from lxml import etree
    from signxml import XMLSigner, namespaces

    root = _parse(xml)
    target = next((el for el in root if isinstance(el.tag, str)
                   and etree.QName(el).localname in _SIGNED_ELEMENTS and el.get("Id")), None)
    if target is None:
        raise ValueError("nothing to sign: no infDPS/infPedReg/infNFSe/infEvento with an Id")
    signer = XMLSigner(signature_algorithm="rsa-sha256", digest_algorithm="sha256", c14n_algorithm=C14N)
    signer.namespaces = {None: namespaces.ds}
    # signxml appends the signature to the root; with a placeholder right after the signed element it
    # goes there instead (the XSDs want it as that element's next sibling).
    placeholder = etree.Element(f"{{{namespaces.ds}}}Signature", Id="placeholder", nsmap={None: namespaces.ds})
    target.addnext(placeholder)
    signed = signer.sign(root, key=certificate.private_key,
                         cert=[certificate.certificate, *certificate.chain],
                         reference_uri=f"#{target.get('Id')}", id_attribute="Id")
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def sign_dps(xml: bytes, certificate: A1Certificate) -> bytes:
    """A DPS from DpsBuilder, signed and validated again against DPS_v1.01.xsd."""
    signed = sign(xml, certificate)
    schemas.validate(signed, schemas.DPS)
    return signed


class CancellationBuilder:
    """The pedido de registro de evento of a cancellation (e101101), unsigned and valid:
    infPedReg/@Id "PRE" + key + 101101, tpAmb, verAplic, dhEvento, CNPJAutor (the provider), chNFSe,
    e101101 (xDesc "Cancelamento de NFS-e", cMotivo 1 erro na emissão | 2 serviço não prestado | 9
    outros, xMotivo 15-255 characters). Layout 1.01 has no nPedRegEvento element (the Id is the key and
    the event code only)."""

    def __init__(self, environment: str = layout.RESTRICTED, app_version: str = "Renova-1.0"):
        self.tp_amb = layout.environment_code(environment)
        self.app_version = app_version

    def build(self, access_key: str, author_cnpj: str, requested_at: datetime, reason_code: str,
              reason: str) -> tuple[str, bytes]:
        from nfelib.nfse.bindings.v1_0 import PedRegEvento
        from nfelib.nfse.bindings.v1_0.tipos_eventos_v1_01 import Te101101, Te101101XDesc, TcinfPedReg
        from nfelib.nfse.bindings.v1_0.tipos_simples_v1_01 import TscodJustCanc, TstipoAmbiente

        from chalicelib.adapters.service_invoices.dps import serialize, text

        if not layout.is_access_key(access_key):
            raise LayoutError("infPedReg/chNFSe", f"not an NFS-e access key: {access_key!r}")
        try:
            code = TscodJustCanc(str(reason_code))
        except ValueError:
            raise LayoutError("infPedReg/e101101/cMotivo",
                              f"{reason_code!r} is not a cancellation reason (1, 2 or 9)") from None
        try:
            requested = layout.xml_datetime(requested_at)
        except ValueError as exc:
            raise LayoutError("infPedReg/dhEvento", str(exc)) from None
        request_id = layout.event_request_id(access_key, layout.CANCELLATION_EVENT)
        info = TcinfPedReg(
            Id=request_id, tpAmb=TstipoAmbiente(self.tp_amb), verAplic=self.app_version, dhEvento=requested,
            CNPJAutor=layout.digits(author_cnpj), chNFSe=access_key,
            e101101=Te101101(xDesc=Te101101XDesc(layout.CANCELLATION_DESCRIPTION), cMotivo=code,
                             xMotivo=text(reason)),
        )
        xml = serialize(PedRegEvento(infPedReg=info, versao=layout.LAYOUT_VERSION))
        schemas.validate(xml, schemas.EVENT_REQUEST)
        return request_id, xml


def sign_event_request(xml: bytes, certificate: A1Certificate) -> bytes:
    signed = sign(xml, certificate)
    schemas.validate(signed, schemas.EVENT_REQUEST)
    return signed
