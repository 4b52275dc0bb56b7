"""Renova's application code (README: the layers).

The first model pydantic builds makes it look for plugins among the entry points of every installed
distribution, on every cold start. Renova uses no pydantic plugin, so the search is off unless the
environment says otherwise (docs/performance.md, cold import)."""
import os

os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
