"""Signatures for the webhook bodies schemathesis generates (fuzz_openapi.py's `before_call` hook):
without one every webhook request stops at verification with a 400, and the event schemas in the
document (components StripeEvent and AsaasEvent) would never reach the code that reads them.

The body is serialised here, once, and sent as those exact bytes: the Stripe signature covers the
bytes, so the transport must not serialise it again. The secrets are the local stage's defaults
(tests/security/webhooks.py), which the stack under fuzzing runs with."""
import json

from schemathesis.core import NotSet

from tests.security.webhooks import PROFILES, genuine


def sign_webhook(case, kwargs: dict) -> None:
    """A genuine signature on the case and the body's exact bytes in the call's kwargs, for webhook
    routes only."""
    profile = PROFILES.get(case.path)
    if profile is None or case.method.upper() != "POST" or isinstance(case.body, NotSet):
        return
    if (case.media_type or "").split(";")[0].strip().lower() != "application/json":
        return  # an unexpected content type: left as generated (the webhook refuses it as not JSON)
    try:
        raw = json.dumps(case.body).encode()
    except (TypeError, ValueError):  # not serialisable as JSON (an integer over 4,300 digits)
        return
    kwargs["data"] = raw  # the transport sends these bytes instead of serialising the body again
    # On the case, not in kwargs: schemathesis passes `headers` to its transport itself.
    case.headers = {**(case.headers or {}), **genuine(profile, raw)}
