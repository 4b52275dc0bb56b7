"""License keys, machines and license files (docs/licensing.md)."""
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, RequestModel, SingleLineText
from chalicelib.domain.enums import LicenseStatus

Fingerprint = SingleLineText


class ProgramKeyIn(RequestModel):
    # Loose on purpose: a malformed key gets the same 404 as an unknown one (no key enumeration).
    license_key: SingleLineText = Field(min_length=1, max_length=200, description="A chave, ex.: RNV-XXXX-XXXX-XXXX-XXXX-X.")
    fingerprint: Fingerprint = Field(min_length=1, max_length=128, description="Identificador opaco da máquina.")


class ActivateIn(ProgramKeyIn):
    machine_name: SingleLineText = Field(min_length=1, max_length=100, description="Nome que a pessoa reconhece.")


class MachineIn(RequestModel):
    fingerprint: Fingerprint = Field(min_length=1, max_length=128, description="A máquina a desativar.")


class DeactivatedOut(ApiModel):
    deactivated: bool = True
    fingerprint: str


class MachineOut(ApiModel):
    fingerprint: str
    name: str | None = None
    activated_at: datetime | None = None
    last_seen_at: datetime | None = None


class LicenseClaims(ApiModel):
    sub: str = Field(description="A chave de licença.")
    acc: str = Field(description="A conta.")
    prd: str = Field(description="O produto.")
    fpr: str = Field(description="A impressão da máquina.")
    lic: LicenseStatus = Field(description="active, suspended ou none.")
    sup: bool = Field(description="Suporte coberto.")
    upd: bool = Field(description="Atualizações cobertas.")
    upd_until: date | None = Field(None, description="Atualizações lançadas depois desta data não são cobertas.")
    exp: int | None = Field(None, description="Fim do uso offline (Unix); ausente numa licença perpétua.")
    iat: int
    kid: str


class LicenseFileOut(ApiModel):
    license_file: str = Field(description="JWT EdDSA (Ed25519); verifique com GET /v1/licenses/jwks.json.")
    claims: LicenseClaims = Field(description="O conteúdo do arquivo, por conveniência: confie só no JWT verificado.")
    machines: list[MachineOut]


class JwkOut(ApiModel):
    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str
    alg: Literal["EdDSA"]
    use: Literal["sig"]


class JwksOut(ApiModel):
    keys: list[JwkOut]


class LicenseKeyOut(ApiModel):
    id: str
    key: str
    product_id: str
    subscription_id: str = Field(description="A assinatura da conta, ou o lote do parceiro.")
    source: Literal["subscription", "batch_seat"]
    seat: int
    status: Literal["active", "retired"]
    machines_per_license: int
    machines: list[MachineOut]
    created_at: datetime | None = None
    retired_at: datetime | None = None


class LicenseKeysOut(ApiModel):
    items: list[LicenseKeyOut]
