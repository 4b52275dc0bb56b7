"""The subscriptions context: subscribing (trials and coupons), Meu Plano, plan changes, cards, storage,
entitlements and the standing notices (overdue, cancelled, invitations, finance alerts)."""
from functools import cached_property


class SubscriptionsWiring:
    @cached_property
    def subscriptions(self):
        from chalicelib.services.subscriptions.subscribing import SubscriptionService

        return SubscriptionService(self.billing_repository, self.catalog, self.clock, self.order_boletos,
                                   self.coupon_repository, self.invoice_notices)

    @cached_property
    def renewal_settings(self):
        """Renewal mode and payment method of a subscription; the account's default method."""
        from chalicelib.services.subscriptions.renewal_settings import RenewalSettingsService

        return RenewalSettingsService(self.billing_repository, self.catalog, self.clock)

    @cached_property
    def trial_repository(self):
        from chalicelib.store.subscriptions import TrialRepository

        return TrialRepository()

    @cached_property
    def trials(self):
        """Cancelling during a trial; the reminder e-mail before it ends (send-reminders job)."""
        from chalicelib.services.subscriptions.trials import TrialService

        return TrialService(self.billing_repository, self.invoice_reads, self.trial_repository, self.retention,
                            self.standing_notices, self.mailer, self.catalog, self.clock, self.settings.portal_url)

    @cached_property
    def coupon_repository(self):
        from chalicelib.store.coupons import CouponRepository

        return CouponRepository()

    @cached_property
    def coupons(self):
        """The finance team's coupons: create, list, delete."""
        from chalicelib.services.subscriptions.coupons import CouponService

        return CouponService(self.coupon_repository, self.catalog, self.clock)

    @cached_property
    def coupon_application(self):
        """A coupon applied to an existing subscription."""
        from chalicelib.services.subscriptions.coupon_application import CouponApplication

        return CouponApplication(self.billing_repository, self.catalog, self.clock, self.coupon_repository,
                                 self.invoice_notices)

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
