"""What `chalice local` answers on its own, in the error shape of API.md (`install()` patches
chalice.local; scripts/chalice_local.py installs it before running `chalice local`).

Chalice's local API Gateway answers a path no route matches with a 403 whose body repeats the
caller's Authorization header ("... Authorization=Bearer <token>"), and http.server answers an
unknown method or a malformed request with an HTML page. Here the first is a 404 `route_not_found`
(what the deployed gateway answers too: infra/build_resources.py) and the others are JSON in the error
shape (chalicelib/api/fallback.py), with CORS headers for a configured origin; no header of the
request is ever repeated. A method a known path lacks reaches the app, whose middleware answers 405.
"""
import uuid

from chalice import local


class RouteNotFound(local.LocalGatewayException):
    """A path no route matches: 404 in the error shape (Chalice's test client shows it as is)."""

    CODE = 404


def _lowercase(headers) -> dict:
    return {str(name).lower(): value for name, value in (headers or {}).items()}


def shaped(status: int, request_headers=None, request_id: str | None = None) -> tuple[dict, str]:
    """Headers and body of `status` in the error shape."""
    from chalicelib.api.fallback import fallback_response

    response = fallback_response(status, _lowercase(request_headers), request_id)
    return dict(response.headers), response.body


class RenovaLocalGateway(local.LocalGateway):
    def _generate_lambda_event(self, method, path, headers, body):
        try:
            return super()._generate_lambda_event(method, path, headers, body)
        except ValueError:  # no route matches the path: never Chalice's 403 that echoes the token
            raise RouteNotFound(*shaped(404, headers)) from None


def _send_error_response(handler, error: local.LocalGatewayException) -> None:
    """Any answer of the local gateway itself: same status, our shape."""
    if isinstance(error, RouteNotFound):
        headers, body = dict(error.headers), error.body
    else:  # a timeout, an authorizer
        headers, body = shaped(error.CODE, dict(handler.headers), (error.headers or {}).get("x-amzn-RequestId"))
    handler._send_http_response(error.CODE, headers, body)


def send_error(handler, code, message=None, explain=None) -> None:
    """http.server's own errors (unknown method, malformed request line 400, too long a URI 414,
    too many headers 431) as JSON in the error shape instead of its HTML page. A method it does not
    know is the client's mistake, never a 5xx: 405 like a method the path lacks."""
    handler.log_error("code %d, message %s", code, message)
    code = 405 if code == 501 else code
    headers, body = shaped(code, None, uuid.uuid4().hex)
    payload = body.encode("utf-8")
    handler.send_response(code)
    handler.send_header("Connection", "close")
    handler.close_connection = True
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    if getattr(handler, "command", None) != "HEAD":
        handler.wfile.write(payload)


def install() -> None:
    """Chalice's request handler builds `local.LocalGateway` per request: ours from now on."""
    if local.LocalGateway is RenovaLocalGateway:
        return
    local.LocalGateway = RenovaLocalGateway
    handler = local.ChaliceRequestHandler
    handler._send_error_response = _send_error_response
    handler.send_error = send_error
    # Methods http.server would refuse with its HTML 501 go through the gateway: 404 or 405, our shape.
    handler.do_TRACE = handler.do_CONNECT = handler._generic_handle
