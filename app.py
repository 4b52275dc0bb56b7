"""Lambda entry point: registers the blueprints, nothing else."""
from chalice import Chalice

from chalicelib.api import (
    accounts, admin, audit, backups, cards, dev, invoices, requests, subscriptions, system, usage,
)
from chalicelib.api import batches, cancellations, entitlements  # issue 8
from chalicelib.api import dev_gateway, payments, webhooks
from chalicelib.jobs import bank_files, schedules, work_queue
from chalicelib.observability.logging import configure_logging

configure_logging()
app = Chalice(app_name="renova")

for blueprint in (system.bp, accounts.bp, subscriptions.bp, cards.bp, usage.bp, audit.bp, dev.bp,
                  schedules.bp, backups.bp, requests.bp, admin.bp, invoices.bp, work_queue.bp):
    app.register_blueprint(blueprint)
for blueprint in (entitlements.bp, cancellations.bp, batches.bp):  # overdue, cancellation, batches (issue 8)
    app.register_blueprint(blueprint)
for blueprint in (webhooks.bp, payments.bp, dev_gateway.bp, bank_files.bp):  # payments (issue 7)
    app.register_blueprint(blueprint)
