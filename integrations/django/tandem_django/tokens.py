"""Tokens for AUTH=jwt, signed HS256 with the standard library (no PyJWT needed).

Tandem checks: the signature with JWT_SECRET (the same as TANDEM_JWT_SECRET here), ``exp``
(required, at most JWT_MAX_LIFETIME_SECONDS after ``iat``), and ``iss``/``aud`` when it is
configured with JWT_ISSUER/JWT_AUDIENCE.
"""
import base64
import hashlib
import hmac
import json
import time

from .conf import setting
from .identity import tandem_user


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_hs256(claims, secret):
    """A compact JWS of ``claims`` with HMAC-SHA256."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    key = secret.encode() if isinstance(secret, str) else secret
    signature = hmac.new(key, f"{header}.{payload}".encode("ascii"), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def mint_token(user, lifetime=None, now=None, secret=None):
    """A Tandem token for ``user``: ``sub`` is the primary key (stable across address changes),
    ``email``, names and role from the user. Settings: TANDEM_JWT_SECRET (required),
    TANDEM_JWT_ISSUER, TANDEM_JWT_AUDIENCE, TANDEM_JWT_LIFETIME (seconds, default 900)."""
    who = tandem_user(user)
    if who["role"] is None:
        raise ValueError(f"user {user.pk} has no Tandem role (MENTOR, MENTEE or ADMIN)")
    issued = int(now if now is not None else time.time())
    lifetime = int(lifetime if lifetime is not None else setting("TANDEM_JWT_LIFETIME", 900))
    claims = {
        "sub": who["id"],
        "email": who["email"],
        "role": who["role"],
        "given_name": who["first_name"],
        "family_name": who["last_name"],
        "iat": issued,
        "exp": issued + lifetime,
    }
    issuer = setting("TANDEM_JWT_ISSUER")
    audience = setting("TANDEM_JWT_AUDIENCE")
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return sign_hs256(claims, secret or setting("TANDEM_JWT_SECRET", required=True))
