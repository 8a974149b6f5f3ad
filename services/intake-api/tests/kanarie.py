"""The canary person, planted in every form an attacker tried, and a scan for any trace of them."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

NAAM = "Canarius Zwartveld"
BSN = "123456782"
TELEFOON = "0612345678"
EMAIL = "canary@example.nl"
IBAN = "NL91ABNA0417164300"
ADRES = "Kanariestraat 77, 7071 AB Dinxperlo"
KENTEKEN = "12-ABC-3"
GEBOORTEDATUM = "1990-02-03"

BETROKKENE: dict[str, Any] = {
    "rol": "slachtoffer", "bsn": BSN, "naam": NAAM, "geboortedatum": GEBOORTEDATUM, "geslacht": "man",
    "nationaliteit": "NL", "adres": ADRES, "telefoon": TELEFOON,
}  # fmt: skip

#: Every form of the issue, each in a sentence; planted in every free-text field.
VORMEN = (
    f"Besproken; {NAAM} bereikbaar op {TELEFOON}.",
    "Canárius ZWARTVELD, Zwartvelds broer, C. Zwartveld en Zwartveld, Canarius.",
    "Woont aan de Kanariestraat 77 in Dinxperlo, postcode 7071ab, ook geschreven 7071 AB.",
    "Auto 12 ABC 3, ook 12-ABC-3.",
    "Geboren 3 februari 1990, 3 feb. 1990, 03-02-1990, 1990-02-03.",
    "IBAN NL91-ABNA-0417164300 en NL91 ABNA 0417 1643 00.",
    "BSN 123 456\n782, ook １２３４５６７８２ en 1234\u200b56782.",
    "Telefoon 06 1234\n5678.",
    "Mail canary(at)example.nl of canary [at] example [dot] nl of canary@example.nl.",
)
TEKST = " ".join(VORMEN)

#: What must not be found: each value's words and numbers (matched case- and diacritics-blind).
_WOORDEN = ("canarius", "zwartveld", "kanariestraat", "dinxperlo", "canary@example", "canary(at)", "canary [at]",
            "7071ab", "7071 ab", "12-abc-3", "12 abc 3", "12abc3", "3 februari 1990", "3 feb. 1990",
            "03-02-1990", "1990-02-03", "nl91", "abna")  # fmt: skip
#: Digits only, found in a value's digits with everything else removed.
_CIJFERS = (BSN, TELEFOON[1:], "0417164300", "03021990", "19900203")


def vouw(tekst: str) -> str:
    """Case- and diacritics-folded, NFKC (fullwidth digits become digits), without format characters."""
    tekst = unicodedata.normalize("NFKC", tekst)
    tekst = "".join(
        c for c in unicodedata.normalize("NFKD", tekst) if unicodedata.category(c) not in ("Mn", "Cf")
    )
    return tekst.casefold()


def sporen(waarde: object) -> list[str]:
    """The canary forms found in a value (text, bytes, or anything printable)."""
    if isinstance(waarde, bytes | bytearray | memoryview):
        tekst = bytes(waarde).decode("latin-1")
    else:
        tekst = str(waarde)
    gevouwen = vouw(tekst)
    gevonden = [w for w in _WOORDEN if w in gevouwen]
    cijfers = re.sub(r"[^0-9]", "", gevouwen)
    gevonden += [c for c in _CIJFERS if c in cijfers]
    return gevonden
