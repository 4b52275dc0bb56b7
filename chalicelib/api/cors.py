"""CORS for browsers: the preflight of every path and the headers of every answer, for the configured
origins only (settings CORS_ORIGINS).

The preflight (OPTIONS) is answered by the app itself: `add_preflight_routes` gives every path an
OPTIONS route, which `chalice local` and the test client call like any route and `chalice package`
turns into a Lambda-proxy method of API Gateway. So one piece of code decides, locally and deployed,
for every configured origin (a MOCK integration or Chalice's `cors=` can name only one origin). A
preflight carries no token: these routes need none and read nothing but the request headers.
"""
from chalice import Response

from chalicelib.api.responses import error_body, json_response
from chalicelib.wiring import container

ALLOWED_HEADERS = "Authorization,Content-Type,Idempotency-Key"
EXPOSED_HEADERS = "X-Request-Id"
# How long a browser may reuse a preflight answer; Chromium caps it at 7200 s.
PREFLIGHT_MAX_AGE_SECONDS = 7200
PREFLIGHT = "OPTIONS"


def allowed_origin(request_headers) -> str | None:
    """The request's Origin when it is one of the configured origins (exact match), else None."""
    origin = (request_headers or {}).get("origin")
    if origin and origin in container().settings.allowed_origins:
        return origin
    return None


def response_headers(request_headers) -> dict:
    """CORS headers of an actual (non-preflight) answer: success or error alike."""
    origin = allowed_origin(request_headers)
    if origin is None:
        return {"Vary": "Origin"}  # the answer still depends on the Origin for a cache
    return {
        "Access-Control-Allow-Origin": origin,
        "Vary": "Origin",
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
    }


def preflight_response(request_headers, methods: list[str], request_id: str) -> Response:
    """204 with the CORS grant for a configured origin; 403 in the error shape for any other origin
    (no Access-Control-Allow-Origin, so the browser blocks the call); without an Origin, a plain
    OPTIONS answer listing the methods."""
    allow = ",".join(sorted({*methods, PREFLIGHT}))
    headers = {"X-Request-Id": request_id, "Allow": allow, "Vary": "Origin"}
    if not (request_headers or {}).get("origin"):
        return Response(body="", status_code=204, headers=headers)
    origin = allowed_origin(request_headers)
    if origin is None:
        body = error_body("origin_not_allowed", "Esta origem não pode chamar a API pelo navegador.")
        return json_response(body, 403, headers)
    return Response(body="", status_code=204, headers={
        **headers,
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": allow,
        "Access-Control-Allow-Headers": ALLOWED_HEADERS,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
    })


def add_preflight_routes(app) -> None:
    """Give every path of `app` its OPTIONS route (call once, after every blueprint is registered)."""
    for path, methods in list(app.routes.items()):
        if PREFLIGHT not in methods:
            app.route(path, methods=[PREFLIGHT], name=_view_name(path))(_preflight_view(app, path))


def is_preflight_route(path: str, method: str, routes) -> bool:
    entry = routes.get(path, {}).get(method)
    return method == PREFLIGHT and entry is not None and entry.view_name == _view_name(path)


def _view_name(path: str) -> str:
    return "preflight" + "".join(c if c.isalnum() else "_" for c in path)


def _preflight_view(app, path: str):
    def preflight(**_path_params):
        request = app.current_request
        request_id = (request.context or {}).get("requestId") or ""
        methods = [method for method in app.routes[path] if method != PREFLIGHT]
        return preflight_response(request.headers, methods, request_id)

    preflight.__name__ = _view_name(path)
    return preflight
