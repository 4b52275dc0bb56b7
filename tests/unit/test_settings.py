"""Settings come from the environment as strings, named like the variables in README's table."""
import pytest

from chalicelib.settings import MissingSetting, Settings, get_settings, reset_settings

PROD_SECRETS = {"AUTH_ISSUER": "https://login.example.com/", "AUTH_JWKS_URL": "https://login.example.com/jwks",
                "CURSOR_SECRET": "c", "STRIPE_WEBHOOK_SECRET": "whsec_x", "ASAAS_WEBHOOK_TOKEN": "t"}


def test_variables_are_converted_and_others_ignored():
    settings = Settings.from_environment({"RENOVA_STAGE": "local", "MAX_BODY_BYTES": "1024",
                                          "CORS_ORIGINS": "https://a.example, https://b.example",
                                          "PATH": "/usr/bin", "HOME": "/root"})

    assert settings.max_body_bytes == 1024
    assert settings.allowed_origins == {"https://a.example", "https://b.example"}
    assert settings.billing_table == "renova-local-billing"
    assert settings.cursor_secret == "local-cursor-secret"


def test_a_deployed_stage_names_every_missing_variable():
    with pytest.raises(MissingSetting) as raised:
        Settings.from_environment({"RENOVA_STAGE": "prod", "AUTH_ISSUER": "https://login.example.com/"})

    assert str(raised.value) == ("stage 'prod' cannot start: set AUTH_JWKS_URL, CURSOR_SECRET, "
                                 "STRIPE_WEBHOOK_SECRET, ASAAS_WEBHOOK_TOKEN")


def test_a_deployed_stage_with_its_secrets_starts_with_no_local_defaults():
    settings = Settings.from_environment({"RENOVA_STAGE": "prod", **PROD_SECRETS})

    assert not settings.is_local
    assert settings.billing_table == "renova-prod-billing"
    assert settings.stripe_webhook_secret == "whsec_x"


def test_a_malformed_number_is_refused():
    with pytest.raises(ValueError, match="MAX_BODY_BYTES"):
        Settings.from_environment({"MAX_BODY_BYTES": "lots"})


def test_get_settings_reads_the_process_environment_once(monkeypatch):
    monkeypatch.setenv("EMAIL_SENDER", "faturas@example.com")
    reset_settings()
    try:
        assert get_settings().email_sender == "faturas@example.com"
        monkeypatch.setenv("EMAIL_SENDER", "outro@example.com")
        assert get_settings().email_sender == "faturas@example.com"  # cached for the process
    finally:
        reset_settings()
