"""The app's route table, as the matrix tests walk it."""
import re

import app as app_module
from chalicelib.api.routing import ENDPOINTS, EndpointSpec


def app_routes() -> list[tuple[str, str]]:
    return sorted((path, method) for path, methods in app_module.app.routes.items() for method in methods)


def specs() -> list[EndpointSpec]:
    return sorted(ENDPOINTS, key=lambda s: (s.path, s.method))


def fill(path: str, **values) -> str:
    """Put real ids where the caller has them and a plausible id elsewhere."""
    return re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), f"{m.group(1)}_x1"), path)


def spec_id(spec: EndpointSpec) -> str:
    return f"{spec.method} {spec.path}"
