"""Lambda entry point: registers the blueprints, nothing else."""
from chalice import Chalice

from chalicelib.api import accounts, audit, dev, system
from chalicelib.observability.logging import configure_logging

configure_logging()
app = Chalice(app_name="renova")

for blueprint in (system.bp, accounts.bp, audit.bp, dev.bp):
    app.register_blueprint(blueprint)
