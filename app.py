"""Lambda entry point: registers the blueprints, nothing else."""
from chalice import Chalice

from chalicelib.api import accounts, audit, dev, system
from chalicelib.jobs import schedules
from chalicelib.observability.logging import configure_logging

configure_logging()
app = Chalice(app_name="renova")

for blueprint in (system.bp, accounts.bp, audit.bp, dev.bp, schedules.bp):
    app.register_blueprint(blueprint)
