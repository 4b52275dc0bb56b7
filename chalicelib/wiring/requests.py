"""The requests context: the finance channel's threads."""
from functools import cached_property


class RequestsWiring:
    @cached_property
    def request_repository(self):
        from chalicelib.store.requests import RequestRepository

        return RequestRepository()

    @cached_property
    def requests(self):
        from chalicelib.services.requests.threads import RequestService

        return RequestService(self.request_repository, self.account_repository, self.mailer, self.clock,
                              self.settings.finance_team_email)
