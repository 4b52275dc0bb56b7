"""Lambda entry point: registers the blueprints, nothing else."""
from chalice import Chalice

from chalicelib.api import (
    accounts, admin, audit, backups, cards, dev, invoices, requests, subscriptions, system, usage,
)
from chalicelib.jobs import schedules, work_queue
from chalicelib.observability.logging import configure_logging

configure_logging()
app = Chalice(app_name="renova")

for blueprint in (system.bp, accounts.bp, subscriptions.bp, cards.bp, usage.bp, audit.bp, dev.bp,
                  schedules.bp, backups.bp, requests.bp, admin.bp, invoices.bp, work_queue.bp):
    app.register_blueprint(blueprint)
