"""The data lifecycle context: backups, retention, the purge."""
from functools import cached_property


class LifecycleWiring:
    @cached_property
    def backups(self):
        from chalicelib.services.lifecycle.backups import BackupService
        from chalicelib.store.backups import BackupRepository

        return BackupService(BackupRepository(), self.account_repository, self.raw_table, self.files,
                             self.mailer, self.checkpoints, self.clock)

    @cached_property
    def retention(self):
        """`container().retention.schedule_purge(account_id, cancelled_on)` when an account is cancelled."""
        from chalicelib.services.lifecycle.retention import RetentionService

        return RetentionService(self.retention_repository, self.clock)

    @cached_property
    def purger(self):
        from chalicelib.services.lifecycle.purge import AccountPurger

        return AccountPurger(self.raw_table, self.files, self.events, self.clock, self.card_gateway)

    @cached_property
    def purges(self):
        from chalicelib.services.lifecycle.purge import PurgeService

        return PurgeService(self.purger, self.retention_repository, self.checkpoints)
