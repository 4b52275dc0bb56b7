"""Throwaway certificates for the local stage and the tests, made with `cryptography`, never real ones:

- a certificate authority standing in for ICP-Brasil ("AC Renova Local de Testes");
- the fake SEFIN's server certificate, for 127.0.0.1 and localhost;
- an A1-like client certificate for the vendor, shaped as ICP-Brasil's e-CNPJ: CN "RAZAO SOCIAL:CNPJ",
  the CNPJ also in a SubjectAlternativeName otherName 2.16.76.1.3.3, key usages digitalSignature and
  nonRepudiation, extended key usage clientAuth; also saved as a PKCS#12 with a password, as a vendor
  would hand over its .pfx.

`ensure_dev_certificates(directory)` makes them once and reuses them (the local stack keeps them in the
repository's git-ignored `.local/nfse-certificates/`); two processes making them at the same moment
both end up using the same set, because a set only appears by renaming a finished directory."""
import datetime as dt
import ipaddress
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CNPJ = "45723174000110"
DEFAULT_LEGAL_NAME = "RENOVA SOFTWARE LTDA"
CLIENT_PASSWORD = "renova-local"  # the dev .pfx's password (a test certificate; nothing to protect)
VALID_DAYS = 3650
_FILES = ("ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key", "client.p12")


@dataclass(frozen=True)
class DevCertificates:
    directory: Path
    cnpj: str
    legal_name: str
    client_password: str = CLIENT_PASSWORD

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    @property
    def client_cert(self) -> Path:
        return self.directory / "client.pem"

    @property
    def client_key(self) -> Path:
        return self.directory / "client.key"

    @property
    def client_p12(self) -> Path:
        return self.directory / "client.p12"

    def client_certificate(self):
        """The vendor's A1 (from its .pfx, the way production reads it)."""
        from chalicelib.adapters.service_invoices.certificates import load_pkcs12

        return load_pkcs12(self.client_p12.read_bytes(), self.client_password)

    def server_certificate(self):
        from chalicelib.adapters.service_invoices.certificates import load_pem

        return load_pem(self.server_cert.read_bytes(), self.server_key.read_bytes())

    def issue_client(self, cnpj: str, legal_name: str):
        """Another A1-like certificate from the same dev CA (tests: a second company)."""
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import load_pem_private_key

        from chalicelib.adapters.service_invoices.certificates import A1Certificate

        ca_cert = x509.load_pem_x509_certificate(self.ca_cert.read_bytes())
        ca_key = load_pem_private_key((self.directory / "ca.key").read_bytes(), None)
        key, cert = _client(ca_key, ca_cert, cnpj, legal_name)
        return A1Certificate(key, cert, (ca_cert,))


def ensure_dev_certificates(directory: str | Path, cnpj: str = DEFAULT_CNPJ,
                            legal_name: str = DEFAULT_LEGAL_NAME) -> DevCertificates:
    """The dev CA, server and client certificates under `directory/<cnpj>/`, made when missing or
    about to expire."""
    target = Path(directory) / cnpj
    certificates = DevCertificates(target, cnpj, legal_name)
    if _usable(certificates):
        return certificates
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{cnpj}-", dir=target.parent))
    try:
        _write(staging, cnpj, legal_name)
        if _usable(certificates):  # another process (a parallel test worker) made a set meanwhile: keep it,
            return certificates    # whoever already loaded it must see the same CA as the rest
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.rename(staging, target)
        except OSError:  # another process renamed its own set first: use that one
            shutil.rmtree(staging, ignore_errors=True)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return certificates


def _usable(certificates: DevCertificates) -> bool:
    from cryptography import x509

    if not all((certificates.directory / name).exists() for name in _FILES):
        return False
    try:
        client = x509.load_pem_x509_certificate(certificates.client_cert.read_bytes())
    except ValueError:
        return False
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=30)
    return client.not_valid_after_utc > soon


def _write(folder: Path, cnpj: str, legal_name: str) -> None:
    from cryptography.hazmat.primitives.serialization import (BestAvailableEncryption, Encoding,
                                                              NoEncryption, PrivateFormat, pkcs12)

    ca_key, ca_cert = _authority()
    server_key, server_cert = _server(ca_key, ca_cert)
    client_key, client_cert = _client(ca_key, ca_cert, cnpj, legal_name)

    def save(name: str, data: bytes, private: bool = False) -> None:
        path = folder / name
        path.write_bytes(data)
        if private:
            os.chmod(path, 0o600)

    def key_pem(key) -> bytes:
        return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())

    save("ca.pem", ca_cert.public_bytes(Encoding.PEM))
    save("ca.key", key_pem(ca_key), private=True)  # a throwaway CA: kept to issue more test certificates
    save("server.pem", server_cert.public_bytes(Encoding.PEM) + ca_cert.public_bytes(Encoding.PEM))
    save("server.key", key_pem(server_key), private=True)
    save("client.pem", client_cert.public_bytes(Encoding.PEM) + ca_cert.public_bytes(Encoding.PEM))
    save("client.key", key_pem(client_key), private=True)
    save("client.p12", pkcs12.serialize_key_and_certificates(
        b"renova-a1", client_key, client_cert, [ca_cert], BestAvailableEncryption(CLIENT_PASSWORD.encode())),
        private=True)


def _rsa():
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _builder(subject, issuer, public_key):
    from cryptography import x509

    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def _key_usage(**allowed):
    from cryptography import x509

    flags = dict(digital_signature=False, content_commitment=False, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                 encipher_only=False, decipher_only=False)
    flags.update(allowed)
    return x509.KeyUsage(**flags)


def _authority():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key = _rsa()
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Brasil de Testes (Renova local)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "AC Renova Local de Testes")])
    cert = (_builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_key_usage(key_cert_sign=True, crl_sign=True, digital_signature=True), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _issued(ca_key, ca_cert, subject, public_key):
    from cryptography import x509

    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (_builder(subject, ca_cert.subject, public_key)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))


def _server(ca_key, ca_cert):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = _rsa()
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "SEFIN Nacional (fake local)")])
    cert = (_issued(ca_key, ca_cert, subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(_key_usage(digital_signature=True, key_encipherment=True), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert


def _client(ca_key, ca_cert, cnpj: str, legal_name: str):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    from chalicelib.adapters.service_invoices.certificates import ICP_BRASIL_CNPJ_OID

    key = _rsa()
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "BR"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ICP-Brasil de Testes (Renova local)"),
                         x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Certificado PJ A1"),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"{legal_name}:{cnpj}")])
    # The otherName's value as ICP-Brasil writes it: the 14 digits in an OCTET STRING.
    other_name = x509.OtherName(x509.ObjectIdentifier(ICP_BRASIL_CNPJ_OID), bytes([0x04, len(cnpj)]) + cnpj.encode())
    cert = (_issued(ca_key, ca_cert, subject, key.public_key())
            .add_extension(x509.SubjectAlternativeName([other_name]), critical=False)
            .add_extension(_key_usage(digital_signature=True, content_commitment=True, key_encipherment=True),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH,
                                                  ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return key, cert
