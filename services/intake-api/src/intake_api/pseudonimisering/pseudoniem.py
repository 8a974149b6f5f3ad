"""The link pseudonym: the same person gets the same pseudonym across signals, without intake keeping who.

pseudonym = HMAC-SHA256(link key, "bsn:" + normalised BSN) when a BSN is given, else
HMAC-SHA256(link key, "naam:" + normalised name + US + "geboortedatum:" + ISO date) when both name and
birth date are given, else None. The prefixes keep the two inputs apart, so a name can never produce
the pseudonym of a BSN. Whoever holds the link key can test guesses, so the key stays with intake
and pseudonyms never leave it unchanged (the gateway derives partner-specific ones).
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import date

from intake_api.pseudonimisering.bsn import validate_bsn

__all__ = ["MIN_KEY_BYTES", "link_pseudoniem", "normalise_naam"]

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
        genormaliseerd = normalise_naam(naam) if naam is not None else ""
        if not genormaliseerd or geboortedatum is None:
            return None
        message = f"naam:{genormaliseerd}\x1fgeboortedatum:{geboortedatum.isoformat()}"
    return hmac.new(sleutel, message.encode("utf-8"), hashlib.sha256).hexdigest()
