"""Standard Webhooks verification (https://www.standardwebhooks.com/), with the stdlib.

A request is genuine when one of the ``v1,<base64>`` entries of ``webhook-signature`` is the
HMAC-SHA256 of ``"{webhook-id}.{webhook-timestamp}.{body}"`` under the secret
(``whsec_<base64>``), compared in constant time, and its timestamp lies within the tolerance
of now (so a captured request cannot be replayed later).
"""
import base64
import hashlib
import hmac
import time

DEFAULT_TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    pass


def _key(secret):
    if secret.startswith("whsec_"):
        secret = secret[len("whsec_"):]
    return base64.b64decode(secret)


def sign(secret, event_id, timestamp, body):
    """The ``v1,<base64>`` signature of ``body`` (bytes) sent as ``event_id`` at ``timestamp`` (seconds)."""
    message = f"{event_id}.{timestamp}.".encode("utf-8") + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), message, hashlib.sha256).digest()).decode("ascii")


def verify(secret, headers, body, tolerance=DEFAULT_TOLERANCE_SECONDS, now=None):
    """Checks a webhook request; ``headers`` is any mapping with the three ``webhook-*`` headers
    (case as given), ``body`` the raw bytes. Returns ``(event_id, timestamp)`` or raises
    WebhookVerificationError saying why."""
    lowered = {str(name).lower(): value for name, value in headers.items()}
    event_id = lowered.get("webhook-id")
    stamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not event_id or not stamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not a number of seconds") from None
    current = int(now if now is not None else time.time())
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too old or in the future")
    expected = sign(secret, event_id, stamp, body).encode("ascii")
    for candidate in signatures.split(" "):
        if hmac.compare_digest(candidate.strip().encode("utf-8", "replace"), expected):
            return event_id, timestamp
    raise WebhookVerificationError("no signature matches")
