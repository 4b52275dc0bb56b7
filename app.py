"""Lambda entry point: registers the blueprints, then the CORS preflight of every path and the
middleware that answers Chalice's own errors in our error shape (chalicelib/api/cors.py, fallback.py)."""
from chalice import Chalice

from chalicelib.api import (
    accounts, admin, audit, backups, cards, dev, invoices, requests, subscriptions, system, usage,
)
from chalicelib.api import batches, cancellations, coupons, entitlements, licenses
from chalicelib.api import metrics as metrics_api
from chalicelib.api import dev_gateway, payments, pix_automatico, service_invoices, webhooks
from chalicelib.api import finance_queues
from chalicelib.api.cors import add_preflight_routes
from chalicelib.api.fallback import errors_in_error_shape
from chalicelib.jobs import bank_files, metrics, schedules, work_queue
from chalicelib.observability.logging import configure_logging

configure_logging()
app = Chalice(app_name="renova")

for blueprint in (system.bp, accounts.bp, subscriptions.bp, cards.bp, usage.bp, audit.bp, dev.bp,
                  schedules.bp, backups.bp, requests.bp, admin.bp, invoices.bp, work_queue.bp):
    app.register_blueprint(blueprint)
# overdue, cancellation, batches, promotions, software licenses
for blueprint in (entitlements.bp, cancellations.bp, batches.bp, coupons.bp, licenses.bp):
    app.register_blueprint(blueprint)
for blueprint in (webhooks.bp, payments.bp, dev_gateway.bp, bank_files.bp, pix_automatico.bp,  # payments
                  service_invoices.bp):
    app.register_blueprint(blueprint)
for blueprint in (metrics_api.bp, metrics.bp):  # revenue metrics: the finance route and the bus consumer
    app.register_blueprint(blueprint)
app.register_blueprint(finance_queues.bp)  # the finance team's lists: refunds, bank returns, credits, NFS-e
add_preflight_routes(app)  # after every blueprint: one OPTIONS route per path
app.register_middleware(errors_in_error_shape, "http")
