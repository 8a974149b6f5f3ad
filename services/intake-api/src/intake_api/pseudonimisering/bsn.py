"""The burgerservicenummer (BSN): kept in the shared library, which the scrubber uses too."""

from __future__ import annotations

from meldroute_common.bsn import InvalidBsnError, is_valid_bsn, normalise_bsn, passes_elfproef, validate_bsn

__all__ = ["InvalidBsnError", "is_valid_bsn", "normalise_bsn", "passes_elfproef", "validate_bsn"]
