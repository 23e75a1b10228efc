"""Schemathesis hook: signs every request the way Veriff's session API wants.

Load it with SCHEMATHESIS_HOOKS (the module's name, with its folder on
PYTHONPATH), and give the credentials in the environment:

    VERIFF_API_KEY        sent as X-AUTH-CLIENT on every request
    VERIFF_SHARED_SECRET  the key of X-HMAC-SIGNATURE

Signing (docs/veriff-api.md, sections 2.1 and 2.3): X-HMAC-SIGNATURE is the
lowercase hex HMAC-SHA256 of the exact body bytes for POST and PATCH, so the
body is written here once, as compact JSON, and those bytes are both signed
and sent; for GET and DELETE it is the HMAC of the id in the path (the
session, media or attempt id). Create (POST /v1/sessions) needs no signature;
it is signed anyway, which Veriff accepts.
"""

import hashlib
import hmac
import json
import os

import schemathesis
from schemathesis.core import NotSet

API_KEY = os.environ["VERIFF_API_KEY"]
SHARED_SECRET = os.environ["VERIFF_SHARED_SECRET"].encode("utf-8")


def _signature(message: bytes) -> str:
    return hmac.new(SHARED_SECRET, message, hashlib.sha256).hexdigest()


def _compact(body) -> bytes | None:
    """The body as compact JSON bytes, or None when it is not JSON-able."""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    try:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError):
        return None


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers if case.headers is not None else {}
    headers["X-AUTH-CLIENT"] = API_KEY
    if case.method.upper() in ("POST", "PATCH", "PUT"):
        body = b"" if isinstance(case.body, NotSet) else _compact(case.body)
        if body is None:
            return  # left to Schemathesis, unsigned: the API answers 401
        kwargs["data"] = body
        headers["Content-Type"] = "application/json"
        headers["X-HMAC-SIGNATURE"] = _signature(body)
    else:
        path_id = (case.path_parameters or {}).get("id")
        if path_id is not None:
            headers["X-HMAC-SIGNATURE"] = _signature(str(path_id).encode("utf-8"))
    case.headers = headers
