"""Base64url without padding (RFC 4648 §5, RFC 7515 §2), written once: tokens, JWKs, key ids and cursors."""

from __future__ import annotations

import base64
import re

__all__ = ["decode_b64url", "decode_b64url_int", "encode_b64url", "encode_b64url_int"]

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")


def encode_b64url(data: bytes) -> str:
    """`data` as base64url text without `=` padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_b64url(text: str) -> bytes:
    """The bytes of unpadded base64url text; `ValueError` for empty text or any character outside the alphabet."""
    if not _BASE64URL.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_b64url_int(value: int, *, length: int | None = None) -> str:
    """A non-negative integer as big-endian base64url (a JWK's `n`, `e`, `x`, `y`).

    Without `length` the shortest form; with it exactly `length` bytes (curve coordinates keep leading zeros).
    """
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return encode_b64url(value.to_bytes(size, "big"))


def decode_b64url_int(text: object) -> int:
    """The integer of a JWK member; `ValueError` when it is not base64url text."""
    if not isinstance(text, str):
        raise ValueError("not a base64url number")
    return int.from_bytes(decode_b64url(text), "big")
