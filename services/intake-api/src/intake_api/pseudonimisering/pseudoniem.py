"""The link pseudonym: the same person gets the same pseudonym across signals, without intake keeping who.

pseudonym = HMAC-SHA256(link key, "bsn:" + normalised BSN) when a BSN is given, else
HMAC-SHA256(link key, "naam:" + normalised name + US + "geboortedatum:" + ISO date) when both name and
birth date are given, else None. A betrokkene recorded with both gets both (`link_pseudoniemen`), so
the person is found, and linked across signals, by either. The prefixes keep the two inputs apart, so a name can never produce
the pseudonym of a BSN. Whoever holds the link key can test guesses, so the key stays with intake
and pseudonyms never leave it unchanged (the gateway derives partner-specific ones).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Callable
from datetime import date

from intake_api.pseudonimisering.bsn import validate_bsn

__all__ = [
    "MIN_KEY_BYTES",
    "link_pseudoniem",
    "link_pseudoniemen",
    "normalise_naam",
    "schoonmerk",
    "schoonmerk_lookup",
    "schoonmerk_sleutel",
]

MIN_KEY_BYTES = 32

# Letters that Unicode does not decompose into a base letter plus accent, common in the names of
# people from the countries trafficking victims in the Netherlands most often come from.
_TRANSLITERATE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "æ": "ae", "œ": "oe", "ß": "ss", "þ": "th"}
)
# Apostrophes vanish (O'Brien = OBrien); other punctuation separates words (Jan-Willem = Jan Willem).
_APOSTROPHES = frozenset("'’‘ʼ`´")


def normalise_naam(naam: str) -> str:
    """Name in a canonical form: NFKD without accents, case-folded, punctuation dropped, one space between words."""
    decomposed = unicodedata.normalize("NFKD", naam)
    chars: list[str] = []
    for char in decomposed:
        category = unicodedata.category(char)[0]
        if category == "M" or char in _APOSTROPHES:  # accents, after NFKD split off their letter
            continue
        chars.append(char if category in "LN" else " ")
    folded = "".join(chars).casefold().translate(_TRANSLITERATE)
    return " ".join(folded.split())


def link_pseudoniem(
    *, sleutel: bytes, bsn: str | None, naam: str | None, geboortedatum: date | None
) -> str | None:
    """The link pseudonym (64 hex characters) of a betrokkene, or None when nothing identifies them.

    A BSN that is given must pass the 11-test, else `InvalidBsnError` (the API answers 400); a BSN of
    only whitespace counts as absent. A name alone is not used: too many people share one.
    """
    if len(sleutel) < MIN_KEY_BYTES:
        raise ValueError(f"the link key must be at least {MIN_KEY_BYTES} bytes")
    if bsn is not None and bsn.strip():
        message = "bsn:" + validate_bsn(bsn)
    else:
        bericht = _naam_bericht(naam, geboortedatum)
        if bericht is None:
            return None
        message = bericht
    return hmac.new(sleutel, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _naam_bericht(naam: str | None, geboortedatum: date | None) -> str | None:
    genormaliseerd = normalise_naam(naam) if naam is not None else ""
    if not genormaliseerd or geboortedatum is None:
        return None
    return f"naam:{genormaliseerd}\x1fgeboortedatum:{geboortedatum.isoformat()}"


def link_pseudoniemen(
    *, sleutel: bytes, bsn: str | None, naam: str | None, geboortedatum: date | None
) -> list[tuple[str, str]]:
    """Every link pseudonym of a betrokkene with its kind: ("bsn", ...) and ("naam", ...), when given."""
    if len(sleutel) < MIN_KEY_BYTES:
        raise ValueError(f"the link key must be at least {MIN_KEY_BYTES} bytes")
    berichten = []
    if bsn is not None and bsn.strip():
        berichten.append("bsn:" + validate_bsn(bsn))
    if (bericht := _naam_bericht(naam, geboortedatum)) is not None:
        berichten.append(bericht)
    return [
        (b.split(":", 1)[0], hmac.new(sleutel, b.encode("utf-8"), hashlib.sha256).hexdigest())
        for b in berichten
    ]


def schoonmerk_sleutel(link_sleutel: bytes) -> bytes:
    """The key of the scrub marks, derived from the link key (a separate domain: a mark is never a pseudonym)."""
    return hmac.new(link_sleutel, b"meldroute/schoonmerk", hashlib.sha256).digest()


def schoonmerk(*, sleutel: bytes, soort: str, token: str) -> str:
    """The keyed hash of one identifying token of a signal (see `meldroute_common.scrubbing.identity_tokens`)."""
    return hmac.new(sleutel, f"{soort}\x1f{token}".encode(), hashlib.sha256).hexdigest()


def schoonmerk_lookup(*, sleutel: bytes, merken: set[str]) -> Callable[[object, str], bool]:
    """The scrubber's `lookup` over a signal's stored marks."""

    def lookup(soort: object, token: str) -> bool:
        return schoonmerk(sleutel=sleutel, soort=str(soort), token=token) in merken

    return lookup
