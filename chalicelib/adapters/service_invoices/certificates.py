"""The vendor's ICP-Brasil A1 certificate: the private key, its certificate and the chain above it.

It signs every DPS and event (XMLDSig) and identifies Renova to the SEFIN Nacional in mutual TLS.
In production its bytes live in AWS Secrets Manager (NFSE_CERTIFICATE_SECRET): one JSON secret
`{"pkcs12_base64": "<the .pfx, base64>", "password": "<its password>"}`. Nothing here logs, prints or
keeps on disk the key: `ssl_context()` writes it to a private file only for the moment the `ssl` module
needs to read it, and removes it before returning.

ICP-Brasil puts the holder's CNPJ in a SubjectAlternativeName otherName (OID 2.16.76.1.3.3) and,
by custom, in the common name as "RAZAO SOCIAL:CNPJ"; `A1Certificate.cnpj` reads either."""
import base64
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field

ICP_BRASIL_CNPJ_OID = "2.16.76.1.3.3"
ICP_BRASIL_CPF_OID = "2.16.76.1.3.1"  # holder data of a person's certificate: birth date (8) + CPF (11) + ...


class CertificateError(ValueError):
    """The certificate could not be read (wrong password, not a PKCS#12/PEM, no private key)."""


@dataclass(frozen=True)
class A1Certificate:
    private_key: object = field(repr=False)  # cryptography private key (RSA for ICP-Brasil A1)
    certificate: object  # cryptography x509.Certificate
    chain: tuple = ()  # intermediate and root certificates, nearest first

    def __repr__(self) -> str:  # never the key
        return f"A1Certificate(subject={self.subject!r}, cnpj={self.cnpj!r})"

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def common_name(self) -> str:
        from cryptography.x509.oid import NameOID

        names = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return names[0].value if names else ""

    @property
    def cnpj(self) -> str | None:
        """The holder's CNPJ: the otherName 2.16.76.1.3.3, else the digits after ":" in the CN."""
        from cryptography import x509

        try:
            names = self.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            names = []
        for name in names:
            if isinstance(name, x509.OtherName) and name.type_id.dotted_string == ICP_BRASIL_CNPJ_OID:
                value = re.sub(r"\D", "", _der_text(name.value))
                if len(value) == 14:
                    return value
        match = re.search(r":(\d{14})$", self.common_name)
        return match.group(1) if match else None

    @property
    def legal_name(self) -> str:
        return self.common_name.split(":", 1)[0]

    def certificate_pem(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.certificate.public_bytes(Encoding.PEM)

    def chain_pem(self) -> bytes:
        """The certificate followed by its chain, PEM (what a TLS client presents)."""
        from cryptography.hazmat.primitives.serialization import Encoding

        return self.certificate_pem() + b"".join(c.public_bytes(Encoding.PEM) for c in self.chain)

    def private_key_pem(self) -> bytes:
        """Unencrypted PKCS#8: for the signer and the TLS context only, never for a log or a file that stays."""
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        return self.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def _der_text(value: bytes) -> str:
    """The text inside a DER OCTET STRING / PrintableString / UTF8String / IA5String (short form)."""
    if len(value) >= 2 and value[0] in (0x04, 0x0C, 0x13, 0x16) and value[1] < 0x80:
        value = value[2:2 + value[1]]
    return value.decode("latin-1", errors="replace")


def _password(password: str | bytes | None) -> bytes | None:
    if password is None or password == "" or password == b"":
        return None
    return password.encode() if isinstance(password, str) else password


def load_pkcs12(data: bytes, password: str | bytes | None) -> A1Certificate:
    """An A1 certificate from its PKCS#12 (.pfx/.p12) bytes and password."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, _password(password))
    except ValueError:
        raise CertificateError("could not open the PKCS#12: wrong password or not a PKCS#12 file") from None
    if key is None or certificate is None:
        raise CertificateError("the PKCS#12 has no private key or no certificate")
    return A1Certificate(key, certificate, tuple(others or ()))


def load_pem(certificate_pem: bytes, private_key_pem: bytes, password: str | bytes | None = None) -> A1Certificate:
    """An A1 certificate from PEM: the certificate (optionally followed by its chain) and the key."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        certificates = x509.load_pem_x509_certificates(certificate_pem)
        key = load_pem_private_key(private_key_pem, _password(password))
    except (ValueError, TypeError):
        raise CertificateError("could not read the PEM certificate or key") from None
    return A1Certificate(key, certificates[0], tuple(certificates[1:]))


def from_secret(client, secret_id: str) -> A1Certificate:
    """The certificate kept in Secrets Manager: JSON `{"pkcs12_base64": ..., "password": ...}`."""
    secret = json.loads(client.get_secret_value(SecretId=secret_id)["SecretString"])
    try:
        data = base64.b64decode(secret["pkcs12_base64"], validate=True)
    except (KeyError, ValueError):
        raise CertificateError(f"secret {secret_id} has no valid pkcs12_base64") from None
    return load_pkcs12(data, secret.get("password"))


def ssl_context(certificate: A1Certificate, ca_file: str | None = None):
    """A TLS client context that checks the server against `ca_file` (default: certifi's bundle) and
    presents the A1 certificate and its chain. The key touches the disk only inside a 0700 directory,
    for the duration of `load_cert_chain`."""
    import ssl

    if ca_file is None:
        import certifi

        ca_file = certifi.where()
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_file)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    folder = tempfile.mkdtemp(prefix="nfse-tls-")
    try:
        os.chmod(folder, 0o700)
        path = os.path.join(folder, "client.pem")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(certificate.private_key_pem() + certificate.chain_pem())
        context.load_cert_chain(path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return context
