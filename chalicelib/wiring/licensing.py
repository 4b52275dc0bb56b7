"""The licensing context: license keys, machine activation and signed license files."""
from functools import cached_property


class LicensingWiring:
    @cached_property
    def license_signer(self):
        """A throwaway Ed25519 key in the local stage; the Secrets Manager key ring elsewhere."""
        from chalicelib.adapters.license_signing import LicenseSigner, LocalKeys, SecretsManagerKeys

        if self.settings.is_local:
            return LicenseSigner(LocalKeys())
        return LicenseSigner(SecretsManagerKeys(self.boto3_client("secretsmanager"),
                                                self.settings.license_signing_secret))

    @cached_property
    def licensing(self):
        from chalicelib.services.licensing.licenses import LicensingService
        from chalicelib.store.licensing import LicenseRepository

        return LicensingService(LicenseRepository(), self.billing_repository, self.batch_repository, self.catalog,
                                self.license_signer, self.events, self.clock)
