"""The burgerservicenummer (BSN): normalisation and the 11-test (elfproef)."""

from __future__ import annotations

import re

__all__ = ["InvalidBsnError", "is_valid_bsn", "normalise_bsn", "passes_elfproef", "validate_bsn"]

_SEPARATORS = re.compile(r"[\s.\-]+")
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


class InvalidBsnError(ValueError):
    """The value is not a valid BSN (wrong length, not digits, or fails the 11-test)."""


def normalise_bsn(value: str) -> str:
    """Strip spaces, dots and dashes; an 8-digit BSN gets its leading zero back.

    Returns the 9 digits, or raises `InvalidBsnError` when the result is not 9 ASCII digits.
    The 11-test is not applied here (see `validate_bsn`).
    """
    digits = _SEPARATORS.sub("", value)
    if len(digits) == 8:
        digits = "0" + digits
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        raise InvalidBsnError("a BSN has 9 digits (8 with the leading zero omitted)")
    return digits


def passes_elfproef(digits: str) -> bool:
    """The 11-test on exactly 9 ASCII digits: weights 9..2 and -1, sum divisible by 11, not all zeros."""
    if len(digits) != 9 or not (digits.isascii() and digits.isdigit()):
        return False
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, digits, strict=True))
    return total % 11 == 0 and digits != "000000000"


def validate_bsn(value: str) -> str:
    """The normalised BSN, or `InvalidBsnError` when it is malformed or fails the 11-test."""
    digits = normalise_bsn(value)
    if not passes_elfproef(digits):
        raise InvalidBsnError("the BSN fails the 11-test")
    return digits


def is_valid_bsn(value: str) -> bool:
    """Whether `value` normalises to a BSN that passes the 11-test."""
    try:
        validate_bsn(value)
    except InvalidBsnError:
        return False
    return True
