"""The subscriptions context: subscribing, Meu Plano, plan changes, cards, storage, entitlements and
the standing notices (overdue, cancelled, invitations, finance alerts)."""
from functools import cached_property


class SubscriptionsWiring:
    @cached_property
    def subscriptions(self):
        from chalicelib.services.subscriptions.subscribing import SubscriptionService

        return SubscriptionService(self.billing_repository, self.catalog, self.clock, self.order_boletos)

    @cached_property
    def subscription_views(self):
        from chalicelib.services.subscriptions.views import SubscriptionViews

        return SubscriptionViews(self.billing_repository, self.catalog)

    @cached_property
    def plan_changes(self):
        from chalicelib.services.subscriptions.plan_changes import PlanChangeService

        return PlanChangeService(self.billing_repository, self.catalog, self.clock, self.invoice_notices,
                                 self.invoice_reads, self.order_boletos)

    @cached_property
    def cards(self):
        from chalicelib.services.subscriptions.cards import CardService

        return CardService(self.billing_repository, self.clock, self.card_gateway, self.card_gateway_name)

    @cached_property
    def storage(self):
        from chalicelib.services.subscriptions.storage import StorageService

        return StorageService(self.billing_repository, self.clock)

    @cached_property
    def entitlements(self):
        """`for_account(account_id, product_id=None)`: license, support, updates, seats, storage."""
        from chalicelib.services.subscriptions.entitlements import EntitlementService

        return EntitlementService(self.billing_repository, self.batch_repository, self.catalog, self.clock)

    @cached_property
    def standing_notices(self):
        from chalicelib.services.subscriptions.standing_notices import StandingNotices

        return StandingNotices(self.mailer, self.events, self.catalog, self.invoice_reads, self.billing_repository,
                               self.settings.portal_url, self.settings.finance_team_email)
