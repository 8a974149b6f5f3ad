"""Recognisable identifiers in free text replaced by placeholders.

The stored description of a signal must not name anyone; the original text is sealed separately.
Recognised, in this order (earlier kinds cannot be mistaken for later ones afterwards):

- e-mail addresses -> ``[E-MAIL]``
- IBANs (any country, with or without spaces, checked with mod-97) -> ``[IBAN]``
- phone numbers: Dutch (06-12345678, +31 6 1234 5678, 0031 6..., 0314-123456, (0314) 123456,
  +31 (0)314 ...) and international numbers written with + or 00 -> ``[TELEFOON]``
- BSNs: 9 digits that pass the 11-test, also written in groups with spaces, dots or dashes
  (123 456 782, 1234.56.782) -> ``[BSN]``
- Dutch licence plates of sidecodes 1-14, with dashes in any case, or without dashes in capitals
  -> ``[KENTEKEN]``
- postcode with house number, either order (1234 AB 12, 1234AB 12a, Dorpsstraat 12, 1234 AB)
  -> ``[POSTCODE-HUISNUMMER]``

When in doubt a number is replaced: an unneeded placeholder costs a little readability, a missed
identifier costs privacy. Known limits: 8-digit BSNs (leading zero omitted) are not recognised in
free text, as every ninth 8-digit number would pass; a postcode without house number is kept, as
is a plate of sidecode 2 (99-99-XX) written without dashes, which cannot be told from a postcode.

Every pattern runs in time linear in the text's length (possessive quantifiers, atomic groups and
bounded repetitions leave the regex engine little to backtrack into), so a hostile text cannot
stall a request.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from meldroute_common.bsn import passes_elfproef

__all__ = ["Identificator", "KnownIdentity", "ScrubResult", "scrub_text"]


class Identificator(StrEnum):
    """A kind of identifier the scrubber replaces; the value is the placeholder's name."""

    EMAIL = "E-MAIL"
    IBAN = "IBAN"
    TELEFOON = "TELEFOON"
    BSN = "BSN"
    KENTEKEN = "KENTEKEN"
    POSTCODE_HUISNUMMER = "POSTCODE-HUISNUMMER"
    GEBOORTEDATUM = "GEBOORTEDATUM"
    ADRES = "ADRES"
    NAAM = "NAAM"

    @property
    def placeholder(self) -> str:
        return f"[{self.value}]"


@dataclass(frozen=True, slots=True)
class ScrubResult:
    """The scrubbed text and how many identifiers of each kind were replaced (every kind present)."""

    text: str
    counts: Mapping[Identificator, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def replaced(self) -> bool:
        return self.total > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class KnownIdentity:
    """What the record itself says identifies one person; every value is replaced wherever it appears."""

    names: Sequence[str] = ()
    address: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    town: str | None = None
    birth_date: date | None = None
    bsn: str | None = None
    phone: str | None = None
    email: str | None = None
    iban: str | None = None
    plate: str | None = None


_SPACE = "[ \u00a0\u202f]"  # copy-pasted text often carries (narrow) no-break spaces

# --- e-mail ---------------------------------------------------------------------------------------
_LOCAL = r"[\w!#$%&'*+/=?^`{|}~.\-]"
_EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}++@[\w\-]++(?:\.[\w\-]++)++")

# --- phone ----------------------------------------------------------------------------------------
# Between two digits: optionally ")" (end of an area code), a space, one of - . /, a space.
_SEP = rf"(?>\)?{_SPACE}?[\-./]?{_SPACE}?)"
_TELEFOON_NL = re.compile(
    rf"""
    (?<![0-9+])
    (?:
        (?:\+|00)31{_SEP}(?:\(0\){_SEP})?  # +31 / 0031, optionally (0)
      | \(?0                                # trunk 0, area code perhaps in parentheses
    )
    [1-9](?:{_SEP}[0-9]){{8}}               # nine digits after the trunk
    (?![0-9])
    """,
    re.VERBOSE,
)
# E.164 allows 15 digits. After 00 at least 8: a 9-digit BSN starting with 00 is not a phone number.
_TELEFOON_INTERNATIONAAL = re.compile(
    rf"""
    (?<![0-9+])
    (?:
        \+[1-9](?:{_SEP}[0-9]){{6,14}}
      | 00[1-9](?:{_SEP}[0-9]){{7,14}}
    )
    (?![0-9])
    """,
    re.VERBOSE,
)

# --- BSN ------------------------------------------------------------------------------------------
# A run of digit groups joined by single separators; BSNs are sought among consecutive groups.
_DIGIT_RUN = re.compile(rf"(?<![0-9])[0-9]++(?:(?:{_SPACE}|[.\-])[0-9]++)*+")
_DIGIT_GROUP = re.compile(r"[0-9]++")

# --- IBAN -----------------------------------------------------------------------------------------
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}")
_IBAN_MIN, _IBAN_MAX = 15, 34
_IBAN_SPACES = frozenset(" \u00a0\u202f")

# --- postcode + house number ----------------------------------------------------------------------
_POSTCODE = rf"[1-9][0-9]{{3}}(?:{_SPACE}?[A-Z]{{2}}|[a-z]{{2}})(?![A-Za-z])"
# 12, 12a, 12 A, 12-2, 12-hs, 12-bis
_HUISNUMMER = (
    r"[1-9][0-9]{0,4}"
    rf"(?:[A-Za-z](?![A-Za-z])|-(?:[0-9]{{1,4}}|[A-Za-z]{{1,3}})(?![0-9A-Za-z])|{_SPACE}[A-Z](?![A-Za-z]))?"
)
_TUSSEN = rf"{_SPACE}{{0,3}},?{_SPACE}{{0,3}}"
# A house number after a postcode must not itself be the next postcode (a list of postcodes).
_POSTCODE_HUISNUMMER = re.compile(
    rf"""(?<![0-9A-Za-z])(?:
        {_POSTCODE}{_TUSSEN}(?!{_POSTCODE}){_HUISNUMMER}(?![0-9])
      | {_HUISNUMMER}{_TUSSEN}{_POSTCODE}
    )""",
    re.VERBOSE,
)

# --- licence plate --------------------------------------------------------------------------------
_SIDECODES = (
    "XX-99-99",  # 1
    "99-99-XX",  # 2
    "99-XX-99",  # 3
    "XX-99-XX",  # 4
    "XX-XX-99",  # 5
    "99-XX-XX",  # 6
    "99-XXX-9",  # 7
    "9-XXX-99",  # 8
    "XX-999-X",  # 9
    "X-999-XX",  # 10
    "XXX-99-X",  # 11
    "X-99-XXX",  # 12
    "9-XX-999",  # 13
    "999-XX-9",  # 14
)


def _sidecode_pattern(sidecode: str, *, letters: str, dash: str) -> str:
    parts = []
    for part in sidecode.split("-"):
        kind = letters if part[0] == "X" else "[0-9]"
        parts.append(f"{kind}{{{len(part)}}}")
    return dash.join(parts)


_KENTEKEN_DASHED = "|".join(_sidecode_pattern(s, letters="[A-Za-z]", dash="-") for s in _SIDECODES)
# Without dashes only in capitals, and not 99-99-XX: 1234AB is a postcode.
_KENTEKEN_COMPACT = "|".join(
    _sidecode_pattern(s, letters="[A-Z]", dash="") for s in _SIDECODES if s != "99-99-XX"
)
_KENTEKEN = re.compile(rf"(?<![\w\-])(?:{_KENTEKEN_DASHED}|{_KENTEKEN_COMPACT})(?![\w\-])")


def _replace_pattern(pattern: re.Pattern[str], soort: Identificator) -> Callable[[str], tuple[str, int]]:
    def replace(text: str) -> tuple[str, int]:
        return pattern.subn(soort.placeholder, text)

    return replace


def _iban_valid(compact: str) -> bool:
    candidate = compact.upper()
    if not (candidate[:2].isalpha() and candidate[2:4].isdigit()):
        return False
    rearranged = candidate[4:] + candidate[:4]
    # A=10 ... Z=35, as ISO 13616 prescribes.
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return int(numeric) % 97 == 1


def _iban_end(text: str, start: int) -> int | None:
    """End of the longest IBAN starting at `start`, or None. Longest first: never leave a tail behind."""
    compact: list[str] = []
    ends: list[int] = []  # ends[i]: text index just after the (i+1)-th IBAN character
    index = start
    while index < len(text) and len(compact) < _IBAN_MAX:
        char = text[index]
        if char.isascii() and char.isalnum():
            compact.append(char)
            index += 1
            ends.append(index)
        elif (
            char in _IBAN_SPACES
            and index + 1 < len(text)
            and text[index + 1].isascii()
            and text[index + 1].isalnum()
        ):
            index += 1
        else:
            break
    for length in range(len(compact), _IBAN_MIN - 1, -1):
        end = ends[length - 1]
        at_boundary = end == len(text) or not (text[end].isascii() and text[end].isalnum())
        if at_boundary and _iban_valid("".join(compact[:length])):
            return end
    return None


def _replace_iban(text: str) -> tuple[str, int]:
    pieces: list[str] = []
    position = 0
    count = 0
    search_from = 0
    while (match := _IBAN_START.search(text, search_from)) is not None:
        end = _iban_end(text, match.start())
        if end is None:
            search_from = match.start() + 1
            continue
        pieces += [text[position : match.start()], Identificator.IBAN.placeholder]
        position = search_from = end
        count += 1
    pieces.append(text[position:])
    return "".join(pieces), count


def _replace_telefoon(text: str) -> tuple[str, int]:
    text, dutch = _TELEFOON_NL.subn(Identificator.TELEFOON.placeholder, text)
    text, international = _TELEFOON_INTERNATIONAAL.subn(Identificator.TELEFOON.placeholder, text)
    return text, dutch + international


def _replace_bsn(text: str) -> tuple[str, int]:
    count = 0

    def in_run(run: re.Match[str]) -> str:
        nonlocal count
        groups = [(group.start(), group.end()) for group in _DIGIT_GROUP.finditer(run.group())]
        spans: list[tuple[int, int]] = []
        first = 0
        while first < len(groups):
            digits = ""
            last = first
            while last < len(groups) and len(digits) < 9:
                digits += run.group()[groups[last][0] : groups[last][1]]
                last += 1
            if len(digits) == 9 and passes_elfproef(digits):
                spans.append((groups[first][0], groups[last - 1][1]))
                first = last
            else:
                first += 1
        if not spans:
            return run.group()
        count += len(spans)
        pieces: list[str] = []
        position = 0
        for start, end in spans:
            pieces += [run.group()[position:start], Identificator.BSN.placeholder]
            position = end
        pieces.append(run.group()[position:])
        return "".join(pieces)

    return _DIGIT_RUN.sub(in_run, text), count


_PASSES: tuple[tuple[Identificator, Callable[[str], tuple[str, int]]], ...] = (
    (Identificator.EMAIL, _replace_pattern(_EMAIL, Identificator.EMAIL)),
    (Identificator.IBAN, _replace_iban),
    (Identificator.TELEFOON, _replace_telefoon),
    (Identificator.BSN, _replace_bsn),
    (Identificator.KENTEKEN, _replace_pattern(_KENTEKEN, Identificator.KENTEKEN)),
    (
        Identificator.POSTCODE_HUISNUMMER,
        _replace_pattern(_POSTCODE_HUISNUMMER, Identificator.POSTCODE_HUISNUMMER),
    ),
)


# Name parts too common to replace on their own.
_TUSSENVOEGSELS = frozenset(
    {"van", "der", "den", "de", "het", "ter", "ten", "te", "op", "in", "la", "le", "du"}
)


def _datumvormen(datum: date) -> list[str]:
    d, m, j = datum.day, datum.month, datum.year
    vormen = {datum.isoformat()}
    for scheiding in "-/.":
        vormen |= {f"{d:02d}{scheiding}{m:02d}{scheiding}{j}", f"{d}{scheiding}{m}{scheiding}{j}"}
    return sorted(vormen)


def _replace_known(text: str, known: Sequence[KnownIdentity], counts: dict[Identificator, int]) -> str:
    vervangingen: list[tuple[str, Identificator]] = []
    for person in known:
        for naam in person.names:
            vervangingen.append((naam, Identificator.NAAM))
            for deel in re.split(r"[\s,.\-]+", naam):
                if len(deel) >= 3 and deel.casefold() not in _TUSSENVOEGSELS:
                    vervangingen.append((deel, Identificator.NAAM))
        for adres in (person.address, person.street, person.town):
            if adres:
                vervangingen.append((adres, Identificator.ADRES))
        if person.phone:
            vervangingen.append((person.phone, Identificator.TELEFOON))
        if person.bsn and person.bsn.strip():
            vervangingen.append((person.bsn.strip(), Identificator.BSN))
        if person.birth_date:
            vervangingen += [(vorm, Identificator.GEBOORTEDATUM) for vorm in _datumvormen(person.birth_date)]
    for waarde, soort in sorted(vervangingen, key=lambda paar: -len(paar[0])):
        if not waarde.strip():
            continue
        patroon = re.compile(rf"(?<!\w){re.escape(waarde.strip())}(?!\w)", re.IGNORECASE)
        text, aantal = patroon.subn(soort.placeholder, text)
        counts[soort] += aantal
    return text


def scrub_text(text: str, *, known: KnownIdentity | Sequence[KnownIdentity] = ()) -> ScrubResult:
    """Replace e-mail addresses, IBANs, phone numbers, BSNs, postcode + house number and licence plates,
    then the names, address and birth date of the `known` people.

    Returns the scrubbed text and the number of replacements per kind. Text without any of these is
    returned unchanged.
    """
    people = (known,) if isinstance(known, KnownIdentity) else tuple(known)
    counts: dict[Identificator, int] = dict.fromkeys(Identificator, 0)
    for soort, replace in _PASSES:
        text, counts[soort] = replace(text)
    text = _replace_known(text, people, counts)
    return ScrubResult(text=text, counts=MappingProxyType(counts))
