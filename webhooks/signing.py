"""Signing a delivery, and the check a receiver makes (the README shows the same in a snippet).

The sender puts the time (Unix seconds) in ``X-SVU-Timestamp`` and, in ``X-SVU-Signature``,
``sha256=`` and the hex HMAC-SHA256 of ``"{timestamp}.{body}"`` keyed with the subscription's
secret. The receiver recomputes it over the raw body, compares in constant time, and refuses a
timestamp more than ``MAX_AGE`` seconds from its own clock (a replayed request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TIMESTAMP_HEADER = "X-SVU-Timestamp"
SIGNATURE_HEADER = "X-SVU-Signature"
DELIVERY_HEADER = "X-SVU-Delivery"
KIND_HEADER = "X-SVU-Event"
MAX_AGE = 300  # seconds: what a receiver should accept


def new_secret() -> str:
    """A fresh subscription secret (256 bits, URL-safe text)."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header for ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, signature_header: str, body: bytes, *, now: float) -> bool:
    """Whether a request is genuine and fresh: what a receiver checks before trusting it."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > MAX_AGE:
        return False
    return hmac.compare_digest(signature(secret, sent, body), signature_header)
