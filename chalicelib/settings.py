"""Configuration from the environment, validated by pydantic, read once per process.

Each field's alias is its environment variable; `Settings.from_environment()` validates the
environment as it is (pydantic converts the strings, ignores every other variable). This once used
pydantic-settings, which we only ever used for that: importing it cost ~50 ms of every Lambda cold
start (its `main` imports asyncio, its CLI and dotenv sources load argparse, importlib.resources and
dotenv), a quarter of boto3's own import, and kept `import app` over the 1.3x boto3 cold-import budget
(docs/dependencies.md, docs/performance.md).

The `local` stage has safe defaults for every secret so `make run` works out of the box; any other
stage refuses to start while a secret or the token issuer is missing, naming the variable.
"""
import os
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, model_validator

LOCAL_STAGE = "local"
# Browser origins of the local stage: the portal served by `make run` under both of its names.
LOCAL_CORS_ORIGINS = "http://localhost:3000,http://127.0.0.1:3000"

# Variables that must be set explicitly outside the local stage.
_REQUIRED_OUTSIDE_LOCAL = (
    "auth_issuer",
    "auth_jwks_url",
    "cursor_secret",
    "stripe_webhook_secret",
    "asaas_webhook_token",
)


class MissingSetting(RuntimeError):
    pass


class Settings(BaseModel):
    # Built from the environment (strings) or from keyword arguments named like the variables.
    model_config = ConfigDict(extra="ignore")

    stage: str = Field(LOCAL_STAGE, alias="RENOVA_STAGE")
    aws_region: str = Field("sa-east-1", alias="AWS_DEFAULT_REGION")
    # Set to the moto server (local stack) or DynamoDB Local; empty means the real AWS endpoints.
    aws_endpoint_url: str | None = Field(None, alias="AWS_ENDPOINT_URL")

    billing_table: str = Field("", alias="BILLING_TABLE")
    idempotency_table: str = Field("", alias="IDEMPOTENCY_TABLE")
    files_bucket: str = Field("", alias="FILES_BUCKET")
    work_queue: str = Field("", alias="WORK_QUEUE")
    event_bus: str = Field("", alias="EVENT_BUS")

    auth_dev_secret: str = Field("local-dev-secret", alias="AUTH_DEV_SECRET")
    auth_issuer: str = Field("", alias="AUTH_ISSUER")
    auth_audience: str = Field("", alias="AUTH_AUDIENCE")
    auth_jwks_url: str = Field("", alias="AUTH_JWKS_URL")
    internal_api_token: str = Field("local-internal-token", alias="INTERNAL_API_TOKEN")
    cursor_secret: str = Field("", alias="CURSOR_SECRET")
    stripe_webhook_secret: str = Field("", alias="STRIPE_WEBHOOK_SECRET")
    asaas_webhook_token: str = Field("", alias="ASAAS_WEBHOOK_TOKEN")

    # The vendor as beneficiary of its boletos (registered with the bank) and its Pix key.
    boleto_bank: str = Field("341", alias="BOLETO_BANK")
    boleto_agency: str = Field("0057", alias="BOLETO_AGENCY")
    boleto_account: str = Field("12345", alias="BOLETO_ACCOUNT")
    boleto_wallet: str = Field("109", alias="BOLETO_WALLET")
    boleto_agreement: str = Field("", alias="BOLETO_AGREEMENT")
    beneficiary_name: str = Field("Renova Software Ltda", alias="BENEFICIARY_NAME")
    beneficiary_document: str = Field("11.222.333/0001-81", alias="BENEFICIARY_DOCUMENT")
    beneficiary_address: str = Field("Rua das Flores, 100 - Centro - Caxias do Sul/RS - 95020-000",
                                     alias="BENEFICIARY_ADDRESS")
    pix_key: str = Field("cobranca@renova.local", alias="PIX_KEY")
    pix_city: str = Field("Caxias do Sul", alias="PIX_CITY")
    boleto_agency_digit: str = Field("0", alias="BOLETO_AGENCY_DIGIT")  # for the CNAB 240 remittance
    boleto_account_digit: str = Field("0", alias="BOLETO_ACCOUNT_DIGIT")

    # Payments: Stripe's secret key for card charges outside the local stage (the local
    # stage uses the fake gateway), the days after a failed card charge to retry it, and where bank
    # return files land in the bucket to be imported.
    stripe_api_key: str = Field("", alias="STRIPE_API_KEY")
    card_retry_days: str = Field("1,3,5", alias="CARD_RETRY_DAYS")
    bank_returns_prefix: str = Field("bank-files/returns/", alias="BANK_RETURNS_PREFIX")

    email_sender: str = Field("cobranca@renova.local", alias="EMAIL_SENDER")
    # The customer portal: e-mails link to its pages (e.g. an invoice and its boleto).
    portal_url: str = Field("http://localhost:3000", alias="PORTAL_URL")
    finance_team_email: str = Field("financeiro@renova.local", alias="FINANCE_TEAM_EMAIL")
    # Comma-separated origins (scheme://host[:port]) whose pages may call the API from a browser.
    # Empty outside the local stage means no browser origin at all (each stage names its portal).
    cors_origins: str = Field("", alias="CORS_ORIGINS")
    max_body_bytes: int = Field(256 * 1024, alias="MAX_BODY_BYTES")
    # Secrets Manager secret with the Ed25519 keys that sign license files (docs/licensing.md); the
    # local stage signs with a throwaway key instead.
    license_signing_secret: str = Field("", alias="LICENSE_SIGNING_SECRET")
    # Pix Automático at the vendor's PSP (docs/pix-automatico.md): the API Pix base URL, OAuth 2 client
    # credentials and the mutual-TLS certificate, from a Secrets Manager secret (PIX_PSP_SECRET) or the
    # variables; the webhook's shared token. The local stage uses the fake PSP and a local token.
    pix_psp_base_url: str = Field("", alias="PIX_PSP_BASE_URL")
    pix_psp_token_url: str = Field("", alias="PIX_PSP_TOKEN_URL")
    pix_psp_secret: str = Field("", alias="PIX_PSP_SECRET")
    pix_psp_client_id: str = Field("", alias="PIX_PSP_CLIENT_ID")
    pix_psp_client_secret: str = Field("", alias="PIX_PSP_CLIENT_SECRET")
    pix_psp_cert_file: str = Field("", alias="PIX_PSP_CERT_FILE")
    pix_psp_key_file: str = Field("", alias="PIX_PSP_KEY_FILE")
    pix_psp_ca_file: str = Field("", alias="PIX_PSP_CA_FILE")
    pix_webhook_token: str = Field("", alias="PIX_WEBHOOK_TOKEN")
    # The vendor's account at the PSP, the receiver of every cycle charge (CobRSolicitada.recebedor).
    pix_receiver_account: str = Field("", alias="PIX_RECEIVER_ACCOUNT")
    pix_receiver_branch: str = Field("", alias="PIX_RECEIVER_BRANCH")
    pix_receiver_account_type: str = Field("CORRENTE", alias="PIX_RECEIVER_ACCOUNT_TYPE")
    # NFS-e Nacional at the SEFIN Nacional (chalicelib/adapters/service_invoices): which national
    # environment (restricted = "produção restrita", the test one; production), the API's base URL (empty:
    # the environment's documented URL; the local stage uses its fake SEFIN), the Secrets Manager secret
    # holding the vendor's A1 certificate ({"pkcs12_base64", "password"}), an optional CA bundle for the
    # SEFIN's server certificate, and where the local stage keeps its throwaway dev certificates.
    nfse_environment: str = Field("restricted", alias="NFSE_ENVIRONMENT")
    sefin_base_url: str = Field("", alias="SEFIN_BASE_URL")
    nfse_certificate_secret: str = Field("", alias="NFSE_CERTIFICATE_SECRET")
    nfse_ca_file: str = Field("", alias="NFSE_CA_FILE")
    nfse_certificates_dir: str = Field("", alias="NFSE_CERTIFICATES_DIR")
    # Service invoices (NFS-e Nacional, docs/service-invoices.md): the vendor as the DPS's provider
    # (prestador) and the DPS series; the local defaults are a demo company in Caxias do Sul/RS (IBGE
    # 4305108) with a CNPJ whose check digits are valid. Rates are percentages as decimal strings.
    nfse_provider_cnpj: str = Field("45723174000110", alias="NFSE_PROVIDER_CNPJ")
    nfse_provider_name: str = Field("Renova Software Ltda", alias="NFSE_PROVIDER_NAME")
    nfse_municipal_registration: str = Field("123456", alias="NFSE_MUNICIPAL_REGISTRATION")
    nfse_city_code: str = Field("4305108", alias="NFSE_CITY_CODE")
    nfse_tax_regime: str = Field("simples", alias="NFSE_TAX_REGIME")  # not_simples | simples | mei
    nfse_iss_rate: str = Field("2.00", alias="NFSE_ISS_RATE")
    # Simples Nacional (ME/EPP): the approximate total rate of the taxes paid through the Simples, which
    # the layout requires of such a provider (pTotTribSN); the vendor's accountant gives it (Anexo III/V).
    nfse_simples_total_rate: str = Field("6.00", alias="NFSE_SIMPLES_TOTAL_RATE")
    nfse_dps_series: str = Field("1", alias="NFSE_DPS_SERIES")
    # B2B withholdings (company customers only): off unless the vendor's accountant says they apply.
    nfse_withholdings: bool = Field(False, alias="NFSE_WITHHOLDINGS")
    nfse_iss_retained: bool = Field(False, alias="NFSE_ISS_RETAINED")
    nfse_irrf_rate: str = Field("1.50", alias="NFSE_IRRF_RATE")
    nfse_csll_rate: str = Field("1.00", alias="NFSE_CSLL_RATE")
    nfse_pis_rate: str = Field("0.65", alias="NFSE_PIS_RATE")
    nfse_cofins_rate: str = Field("3.00", alias="NFSE_COFINS_RATE")

    @property
    def allowed_origins(self) -> frozenset[str]:
        return frozenset(o.strip() for o in self.cors_origins.split(",") if o.strip())

    @property
    def card_retry_schedule(self) -> tuple[int, ...]:
        """CARD_RETRY_DAYS as days after the first failure, e.g. "1,3,5" -> (1, 3, 5)."""
        days = tuple(int(part) for part in self.card_retry_days.split(",") if part.strip())
        if any(day <= 0 for day in days) or list(days) != sorted(set(days)):
            raise ValueError("CARD_RETRY_DAYS must list increasing positive days, e.g. 1,3,5")
        return days

    @property
    def pix_receiver(self) -> dict:
        """CobRSolicitada.recebedor: the vendor's account at the PSP."""
        receiver = {"conta": self.pix_receiver_account, "tipoConta": self.pix_receiver_account_type}
        if self.pix_receiver_branch:
            receiver["agencia"] = self.pix_receiver_branch
        return receiver

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE

    @model_validator(mode="after")
    def _defaults_and_required(self) -> "Settings":
        prefix = f"renova-{self.stage}"
        self.billing_table = self.billing_table or f"{prefix}-billing"
        self.idempotency_table = self.idempotency_table or f"{prefix}-idempotency"
        self.files_bucket = self.files_bucket or f"{prefix}-files"
        self.work_queue = self.work_queue or f"{prefix}-work"
        self.event_bus = self.event_bus or f"{prefix}-events"
        self.license_signing_secret = self.license_signing_secret or f"{prefix}-license-signing"
        self.nfse_certificate_secret = self.nfse_certificate_secret or f"{prefix}-nfse-certificate"
        if self.nfse_environment not in ("restricted", "production"):
            raise MissingSetting(f"NFSE_ENVIRONMENT must be restricted or production, not {self.nfse_environment!r}")
        if self.is_local:
            self.cors_origins = self.cors_origins or LOCAL_CORS_ORIGINS
            self.cursor_secret = self.cursor_secret or "local-cursor-secret"
            self.stripe_webhook_secret = self.stripe_webhook_secret or "whsec_local"
            self.asaas_webhook_token = self.asaas_webhook_token or "local-asaas-token"
            self.pix_webhook_token = self.pix_webhook_token or "local-pix-token"
            self.pix_receiver_account = self.pix_receiver_account or "123456"
            self.pix_receiver_branch = self.pix_receiver_branch or "0001"
            return self
        missing = [name for name in _REQUIRED_OUTSIDE_LOCAL if not getattr(self, name)]
        if missing:
            variables = ", ".join(type(self).model_fields[name].alias for name in missing)
            raise MissingSetting(f"stage {self.stage!r} cannot start: set {variables}")
        return self


    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        return cls.model_validate(dict(environ))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environment()


def reset_settings() -> None:
    """Forget the cached settings (tests that change the environment)."""
    get_settings.cache_clear()
