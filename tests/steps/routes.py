"""The app's route table, as the matrix tests walk it."""
import re

import app as app_module
from chalicelib.api.cors import is_preflight_route
from chalicelib.api.routing import ENDPOINTS, EndpointSpec


def app_routes() -> list[tuple[str, str]]:
    """Every route but the CORS preflight (OPTIONS) each path gets (tests/api/test_cors.py checks those)."""
    routes = app_module.app.routes
    return sorted((path, method) for path, methods in routes.items() for method in methods
                  if not is_preflight_route(path, method, routes))


def preflight_routes() -> list[tuple[str, str]]:
    routes = app_module.app.routes
    return sorted((path, method) for path, methods in routes.items() for method in methods
                  if is_preflight_route(path, method, routes))


def specs() -> list[EndpointSpec]:
    return sorted(ENDPOINTS, key=lambda s: (s.path, s.method))


def fill(path: str, **values) -> str:
    """Put real ids where the caller has them and a plausible id elsewhere."""
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), f"{m.group(1)}_x1"), path)


def spec_id(spec: EndpointSpec) -> str:
    return f"{spec.method} {spec.path}"
