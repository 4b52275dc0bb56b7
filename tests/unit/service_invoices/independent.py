"""Signature checks that share nothing with the code under test (signxml): the xmlsec1 command-line
tool (system libxml2 and OpenSSL, `make deps-nfse`), and an XMLDSig verification written out by hand
with lxml's exclusive canonicalisation and `cryptography`. A missing tool fails the test, never skips."""
import base64
import copy
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
INSTALL_HINT = "run `make deps-nfse` (installs Debian's xmlsec1)"


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` not found: {INSTALL_HINT}")
    return path


def xmlsec1_verify(xml: bytes, ca_pem: Path, id_element: str, tmp_path: Path, signature_xpath: str | None = None):
    """(ok, output) of `xmlsec1 --verify` with the test CA as the only trusted certificate."""
    document = tmp_path / f"signed-{id_element}.xml"
    document.write_bytes(xml)
    command = [require_tool("xmlsec1"), "--verify", "--trusted-pem", str(ca_pem), "--id-attr:Id", id_element]
    if signature_xpath:
        command += ["--node-xpath", signature_xpath]
    result = subprocess.run(command + [str(document)], capture_output=True, text=True, timeout=60)
    return result.returncode == 0, result.stdout + result.stderr


def _c14n(element) -> bytes:
    # A detached copy keeps the namespace declarations in scope; exclusive canonicalisation then
    # emits only the ones the subtree uses.
    return etree.tostring(copy.deepcopy(element), method="c14n", exclusive=True)


def hand_verify(xml: bytes, ca_certificate) -> str:
    """Verifies the (first) top-level Signature by hand; returns the referenced Id. Raises
    AssertionError on any mismatch."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    root = etree.fromstring(xml)
    signature = root.find(f"{{{DS}}}Signature")
    assert signature is not None, "no Signature below the root"
    signed_info = signature.find(f"{{{DS}}}SignedInfo")
    assert signed_info.find(f"{{{DS}}}CanonicalizationMethod").get("Algorithm") == EXC_C14N
    assert signed_info.find(f"{{{DS}}}SignatureMethod").get("Algorithm").endswith("#rsa-sha256")
    reference = signed_info.find(f"{{{DS}}}Reference")
    transforms = [t.get("Algorithm") for t in reference.iter(f"{{{DS}}}Transform")]
    assert transforms == [ENVELOPED, EXC_C14N], transforms
    assert reference.find(f"{{{DS}}}DigestMethod").get("Algorithm").endswith("#sha256")
    target_id = reference.get("URI").removeprefix("#")
    matches = [el for el in root.iter() if isinstance(el.tag, str) and el.get("Id") == target_id]
    assert len(matches) == 1, f"reference {target_id} resolves to {len(matches)} elements"
    target = copy.deepcopy(matches[0])
    for enveloped in target.iter(f"{{{DS}}}Signature"):  # the enveloped-signature transform
        enveloped.getparent().remove(enveloped)
    digest = base64.b64encode(hashlib.sha256(_c14n(target)).digest()).decode()
    assert digest == reference.find(f"{{{DS}}}DigestValue").text.strip(), "digest of the referenced element differs"
    certificates = [x509.load_der_x509_certificate(base64.b64decode("".join(c.text.split())))
                    for c in signature.iter(f"{{{DS}}}X509Certificate")]
    leaf = certificates[0]
    value = base64.b64decode("".join(signature.find(f"{{{DS}}}SignatureValue").text.split()))
    leaf.public_key().verify(value, _c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())
    ca_certificate.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(),
                                       leaf.signature_hash_algorithm)
    return target_id
