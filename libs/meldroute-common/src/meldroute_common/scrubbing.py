"""The one scrubber for every free text a person types: recognisable identifiers replaced by placeholders.

API (stable, keyword-only after the text)::

    scrub_text(text, *, known=(), lookup=None) -> ScrubResult
    identity_tokens(known) -> frozenset[tuple[Identificator, str]]

- ``text``: the free text as typed (a signal's ``omschrijving``, a ``toelichting``, a partner's ``reden``).
- ``known``: one `KnownIdentity` or a sequence of them: what the record itself says identifies its people
  (names, address or its parts, birth date, BSN, phone, e-mail, IBAN, plate). Those values are replaced in
  every variant listed below, also where they have no recognisable shape (a name, a street, a town).
- ``lookup``: for a service that must not keep its people's identities readable. `identity_tokens`
  gives the folded words and dates of a `KnownIdentity` (name words, address words and numbers, the
  birth date as ISO and as ``--MM-DD``); the service stores them as keyed hashes and later passes
  ``lookup(kind, token) -> bool``, which answers whether a token of the text is one of them. Words and
  dates of the text for which it answers yes are then treated exactly like `known` values.
- ``ScrubResult.text``: the scrubbed text; ``.counts``: replacements per `Identificator` (every kind
  present, zeros included); ``.total``; ``.replaced``: whether anything was replaced.

The original must be stored sealed, never beside the scrubbed text: scrubbing is a safety net, not
anonymisation.

Normalisation. Before matching, the text is brought into Unicode NFKC (fullwidth digits become ASCII
digits, ligatures letters, no-break spaces spaces) and format characters (category Cf: zero-width space,
zero-width joiners, soft hyphen, word joiner, byte-order mark) are removed, as are combining marks that
do not follow a letter. Replacement happens in this normalised text, which is what is returned: the
stored text is the normalised one, also when nothing was replaced. Names and address words are matched
in a case- and diacritics-folded copy whose positions map back to the normalised text.

Recognised, in this order (earlier kinds cannot be mistaken for later ones afterwards):

- e-mail addresses, also obfuscated (``jan(at)example.nl``, ``jan [at] example [dot] nl``,
  ``jan at example dot nl``, ``jan @ example.nl``, ``JAN @ EXAMPLE . NL``, ``jan [at] example punt nl``), in
  any case -> ``[E-MAIL]``
- IBANs (any country, mod-97 checked, with spaces, dashes, dots or a line break between characters; a
  space after the country code too when it is in capitals and of the registry: ``NL 91 ABNA ...``)
  -> ``[IBAN]``
- birth dates: the known birth date in every written form (``3 februari 1990``, ``3 feb. 1990``,
  ``3 februari``, ``3-feb-1990``, ``03-02-1990``, ``3/2/90``, ``1990-02-03``, ``03021990``,
  ``February 3, 1990``), and any
  full date right after ``geboren``, ``geb.``, ``geboortedatum`` or ``born`` -> ``[GEBOORTEDATUM]``
- phone numbers: Dutch (06-12345678, +31 6 1234 5678, 0031 6..., 0314-123456, (0314) 123456,
  +31 (0)314 ..., digit by digit ``0 6 1 2 ...``) and international numbers written with + or 00 -> ``[TELEFOON]``
- BSNs: 9 digits that pass the 11-test, also in groups with spaces, dots, dashes or a line break
  (123 456 782, 1234.56.782, ``1234`` + line break + ``56782``); and 8 digits with the leading zero dropped
  right after ``BSN`` (``B.S.N.``, ``bsn-nummer``, ``BSN nr.``, also with a line break before the
  number), ``burgerservicenummer`` or ``sofinummer`` (``BSN: 1234 5672``) when the
  zero-prefixed number passes the 11-test -> ``[BSN]``
- Dutch licence plates of sidecodes 1-14: with dashes in any case (``12-abc-3``), with spaces or
  without separators in capitals (``12 ABC 3``, ``12ABC3``) -> ``[KENTEKEN]``
- postcode with house number, either order (1234 AB 12, 1234AB 12a, 12, 1234 AB) -> ``[POSTCODE-HUISNUMMER]``
- postcode alone: ``7071 AB`` and ``7071AB`` in capitals, ``7071ab`` in any case -> ``[POSTCODE]``
- the known BSN, phone, IBAN, plate, postcode and e-mail in any case with any separators -> their kind
- the known address: street, house number and town, together or each word on its own -> ``[ADRES]``
- the known names: in full or any part of three letters or more, case- and diacritics-folded
  (``CANÁRIUS``), with possessive s (``Zwartvelds``, ``Zwartveld's``), with initials (``C. Zwartveld``),
  in reversed order (``Zwartveld, Canarius``) and with the name's own prefixes (``van der Berg``);
  a run of name parts becomes one placeholder -> ``[NAAM]``

Not recognised (published in docs/threat-model.md): names of people who are not entered as betrokkene,
nicknames and name parts shorter than three letters on their own, descriptions ("de broer van de
eigenaar"), dates other than birth dates, 8-digit BSNs (leading zero omitted) without the word BSN before
them (every eleventh 8-digit number would pass), plates of sidecode 2 (99-99-XX) without dashes (a
postcode), lower-case plates with spaces, letters from other scripts that look like Latin ones (Cyrillic
``О`` for ``O``), identifiers spelled out in words or letter by letter (``Z w a r t v e l d``), an e-mail
address whose dot alone is spaced (``jan@example .nl``), a postcode in lower case with a space
(``7071 ab``: too like ``2024 op 12``).

When in doubt a number is replaced: an unneeded placeholder costs a little readability, a missed
identifier costs privacy. Ordinary sentences ("3 signalen in 2025", "Op 12-05-2024 om 12.30 uur") keep
their numbers.

Every pattern runs in time linear in the text's length (possessive quantifiers, atomic groups and
bounded repetitions leave the regex engine little to backtrack into), so a hostile text cannot
stall a request.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType

from meldroute_common.bsn import passes_elfproef

__all__ = [
    "Identificator",
    "KnownIdentity",
    "Lookup",
    "ScrubResult",
    "identity_tokens",
    "normalise_text",
    "scrub_text",
]


class Identificator(StrEnum):
    """A kind of identifier the scrubber replaces; the value is the placeholder's name."""

    EMAIL = "E-MAIL"
    IBAN = "IBAN"
    GEBOORTEDATUM = "GEBOORTEDATUM"
    TELEFOON = "TELEFOON"
    BSN = "BSN"
    KENTEKEN = "KENTEKEN"
    POSTCODE_HUISNUMMER = "POSTCODE-HUISNUMMER"
    POSTCODE = "POSTCODE"
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
    """What the record itself says identifies one person; each value is replaced wherever it appears.

    `address` is the address as one line (street, number, postcode, town); `street`, `house_number`,
    `postcode` and `town` may be given instead or as well.
    """

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


# --- normalisation --------------------------------------------------------------------------------


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")


def normalise_text(text: str) -> str:
    """NFKC, without format and control characters (tab and line breaks kept) and without combining marks that
    do not follow a letter. A NUL could not even be stored as text in PostgreSQL."""
    if text.isascii():
        # NFKC leaves ASCII as it is, and ASCII has no format characters or combining marks.
        return _ASCII_CONTROL.sub("", text)
    kept: list[str] = []
    after_letter = False
    for char in unicodedata.normalize("NFKC", text):
        category = unicodedata.category(char)
        if category == "Cf" or (category == "Cc" and char not in "\t\n\r"):
            continue
        if category in ("Mn", "Me"):
            if after_letter:
                kept.append(char)
            continue
        kept.append(char)
        after_letter = category[0] == "L"
    return "".join(kept)


# Letters that Unicode does not decompose into a base letter plus accent.
_TRANSLITERATE = {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "æ": "ae", "œ": "oe", "ß": "ss"}
_APOSTROPHES = frozenset("'’‘ʼ`´")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Me"))
    return "".join(_TRANSLITERATE.get(c, c) for c in base.casefold())


def _fold(text: str) -> tuple[str, Sequence[int]]:
    """Case- and diacritics-folded text, and for each of its characters the index it came from."""
    if text.isascii():
        # ASCII folds one to one: only case and the backtick (an apostrophe) change.
        return text.lower().replace("`", "'"), range(len(text))
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold_char(char):
            folded.append(piece)
            origin.append(index)
    return "".join(folded), origin


def _fold_value(value: str) -> str:
    return _fold(normalise_text(value))[0]


# --- shared pieces --------------------------------------------------------------------------------

_NL = r"(?:\r\n|[\n\r\u2028\u2029\x0b\x0c\x85])"
# Between two parts of an identifier: a few spaces or tabs, or one line break with spaces around it.
_SPACE = rf"(?>[ \t]{{0,3}}{_NL}[ \t]{{0,3}}|[ \t]{{1,3}})"
_SEPARATOR_CHARS = frozenset(" \t-.\r\n\u2028\u2029\x0b\x0c\x85")

# --- e-mail ---------------------------------------------------------------------------------------
_LOCAL = r"[\w!#$%&'*+/=?^`{|}~.\-]"
_EMAIL = re.compile(rf"(?<!{_LOCAL}){_LOCAL}++@[\w\-]++(?:\.[\w\-]++)++")
_AT = r"(?>\s?[\[({<]\s?(?:at|@|apenstaartje)\s?[\])}>]\s?|\s(?:at|@)\s|\s?@\s?)"
# A dot written with a space on both sides (``voorbeeld . nl``) is a dot too once an "at" came before it.
_DOT = r"(?>\s?[\[({<]\s?(?:dot|punt|\.)\s?[\])}>]\s?|\s(?:dot|punt)\s|[ \t]\.[ \t]|\.)"
_EMAIL_OBFUSCATED = re.compile(
    rf"(?<![\w.+\-])[\w.+\-]{{1,64}}{_AT}[\w\-]{{1,63}}(?:{_DOT}[\w\-]{{1,63}}){{0,6}}{_DOT}[a-z]{{2,24}}(?![\w\-])",
    re.IGNORECASE,
)

# --- phone ----------------------------------------------------------------------------------------
# Between two digits: optionally ")" (end of an area code), a space, one of - . /, a space.
_SEP = rf"(?>\)?{_SPACE}?[\-./]?{_SPACE}?)"
_TELEFOON_NL = re.compile(
    rf"""
    (?<![0-9+])
    (?:
        (?:\+|00)31{_SEP}(?:\(0\){_SEP})?  # +31 / 0031, optionally (0)
      | \(?0{_SEP}                          # trunk 0, area code perhaps in parentheses
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
# Eight digits right after the word BSN (or burgerservicenummer, sofinummer): a BSN whose leading zero was
# dropped, replaced when the zero-prefixed nine digits pass the 11-test. Without the word, eight digits stay.
_BSN_TREFWOORD = re.compile(
    r"(?<!\w)(?:b\.?s\.?n\.?|burgerservice-?nummer|sofi-?nummer)(?:-?nummer)?(?:[ \t]{0,2}(?:nr\.?|is|:|-|#))?"
    rf"{_SPACE}?(?P<nummer>[0-9](?:(?:{_SPACE}|[.\-])?[0-9]){{7}})(?![0-9])",
    re.IGNORECASE,
)

# --- IBAN -----------------------------------------------------------------------------------------
# A space may part the country code from the check digits (``NL 91 ABNA ...``), only for a country of the
# registry below written in capitals: "en 33 ..." is a sentence, however its digits add up.
_IBAN_START = re.compile(r"(?<![0-9A-Za-z])(?:[A-Za-z]{2}|(?P<spatie>[A-Z]{2})[ \t])[0-9]{2}")
_IBAN_MIN, _IBAN_MAX = 15, 34
_IBAN_MAX_GAP = 3
# Fixed lengths of the IBAN registry (ISO 13616) for the countries most often seen here: a word after
# the IBAN cannot become part of it. Other countries: the longest valid length.
_IBAN_LENGTES = {
    "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24,
    "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IT": 27, "LT": 20, "LU": 20,
    "LV": 21, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24,
    "TR": 26, "UA": 29,
}  # fmt: skip

# --- postcode + house number ----------------------------------------------------------------------
# Units written after a four-digit number are not postcodes (2000km, 1500 KG).
_UNITS = r"(?!(?i:km|kg|cm|mm|ml|mg|kw|mb|gb|kb|pk|ha)(?![A-Za-z]))"
_POSTCODE = rf"[1-9][0-9]{{3}}{_UNITS}(?:{_SPACE}?[A-Z]{{2}}|[a-z]{{2}})(?![A-Za-z])"
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
# Alone: capitals with or without a space, or written together in any case (7071ab, 7071Ab).
_POSTCODE_ALLEEN = re.compile(
    rf"(?<![0-9A-Za-z])[1-9][0-9]{{3}}{_UNITS}(?:{_SPACE}?[A-Z]{{2}}|[A-Za-z]{{2}})(?![0-9A-Za-z])"
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


_KENTEKEN_DASHED = "|".join(
    _sidecode_pattern(s, letters="[A-Za-z]", dash="[ \t]?-[ \t]?") for s in _SIDECODES
)
# With spaces or without separators only in capitals; without, not 99-99-XX: 1234AB is a postcode.
_KENTEKEN_SPACED = "|".join(_sidecode_pattern(s, letters="[A-Z]", dash="[ \t]") for s in _SIDECODES)
_KENTEKEN_COMPACT = "|".join(
    _sidecode_pattern(s, letters="[A-Z]", dash="") for s in _SIDECODES if s != "99-99-XX"
)
_KENTEKEN = re.compile(rf"(?<![\w\-])(?:{_KENTEKEN_DASHED}|{_KENTEKEN_SPACED}|{_KENTEKEN_COMPACT})(?![\w\-])")

# --- dates ----------------------------------------------------------------------------------------
_MAANDEN: dict[int, tuple[str, ...]] = {
    1: ("januari", "january", "jan"),
    2: ("februari", "february", "febr", "feb"),
    3: ("maart", "march", "mrt", "mar", "mrt"),
    4: ("april", "apr"),
    5: ("mei", "may"),
    6: ("juni", "june", "jun"),
    7: ("juli", "july", "jul"),
    8: ("augustus", "august", "aug"),
    9: ("september", "sept", "sep"),
    10: ("oktober", "october", "okt", "oct"),
    11: ("november", "nov"),
    12: ("december", "dec"),
}
_MAAND_NUMMER = {naam: nummer for nummer, namen in _MAANDEN.items() for naam in namen}
_ELKE_MAAND = "|".join(sorted({n for namen in _MAANDEN.values() for n in namen}, key=lambda n: -len(n)))
_DATE_SEP = r"(?>[ \t]{0,2}[\-/.][ \t]{0,2}|[ \t]{1,2})"
# Around a month's name: spaces, or a dash or slash (``3-feb-1990``, ``3/feb/90``).
_MAAND_SEP = r"(?>[ \t]?[\-/][ \t]?|[ \t]{0,2})"
_GENERIC_DATE = (
    rf"(?:[0-9]{{1,2}}{_DATE_SEP}[0-9]{{1,2}}{_DATE_SEP}(?:[0-9]{{4}}|[0-9]{{2}})"
    rf"|[0-9]{{4}}{_DATE_SEP}[0-9]{{1,2}}{_DATE_SEP}[0-9]{{1,2}}"
    rf"|[0-9]{{1,2}}(?:e|ste|de)?{_MAAND_SEP}(?:{_ELKE_MAAND})\.?{_MAAND_SEP}'?(?:[0-9]{{4}}|[0-9]{{2}})"
    rf"|(?:{_ELKE_MAAND})\.?[ \t]{{0,2}}[0-9]{{1,2}}(?:st|nd|rd|th)?,?[ \t]{{0,2}}[0-9]{{4}})"
)
_GEBOORTE_TREFWOORD = re.compile(
    rf"(?<!\w)(?:geboren|geb\.?|geboortedatum|geboortedag|born|dob|d\.o\.b\.)(?:[ \t]{{0,2}}(?:op|on|:|-))?"
    rf"[ \t]{{0,3}}(?P<datum>{_GENERIC_DATE})(?![0-9])",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)
def _patroon(bron: str) -> re.Pattern[str]:
    """A pattern built from a record's own names or address, compiled once while it is in use.

    `re` keeps only a few hundred compiled patterns for all callers, and such a pattern is built anew for
    each text of the record (and for each record of the same person).
    """
    return re.compile(bron)


# Every form a birth date is recognised in, for any date: a candidate is then compared with the record's own
# birth dates, so no pattern is built per record. Day and month are written as `0?d`, the year as `yyyy` or
# `'?yy` (`yyyy` only after a month's name and before the day). The forms cannot match at the same start, except
# the eight digits (`ddmmyyyy` or `yyyymmdd`); after a month's name the year may be left out.
_ZONDER_JAAR = (
    rf"(?P<d5>0?[0-9]{{1,2}})(?:e|ste|de)?{_MAAND_SEP}(?P<n5>{_ELKE_MAAND})\.?",
    rf"(?P<n6>{_ELKE_MAAND})\.?[ \t]{{0,2}}(?P<d6>0?[0-9]{{1,2}})(?:st|nd|rd|th)?",
)
_GEBOORTE_KANDIDAAT = re.compile(
    rf"(?<![0-9])(?:(?P<d1>0?[0-9]{{1,2}}){_DATE_SEP}(?P<m1>0?[0-9]{{1,2}}){_DATE_SEP}(?P<y1>[0-9]{{4}}|'?[0-9]{{2}})"
    rf"|(?P<y2>[0-9]{{4}}){_DATE_SEP}(?P<m2>0?[0-9]{{1,2}}){_DATE_SEP}(?P<d2>0?[0-9]{{1,2}})"
    rf"|(?P<c8>[0-9]{{8}})"
    rf"|{_ZONDER_JAAR[0]}(?:{_MAAND_SEP}(?P<y5>[0-9]{{4}}|'?[0-9]{{2}})(?![0-9]))?"
    rf"|{_ZONDER_JAAR[1]}(?:,?[ \t]{{0,2}}(?P<y6>[0-9]{{4}}))?"
    rf")(?![0-9A-Za-z])",
    re.IGNORECASE,
)
#: A candidate's first digit starts a run of digits (no digit may come before a candidate) at most this far
#: from the candidate's start: only a month's name, its dot and two spaces come before the day.
_VOOR_CIJFER = max(len(n) for namen in _MAANDEN.values() for n in namen) + len(".") + 2
_GEBOORTE_ZONDER_JAAR = re.compile(rf"(?:{_ZONDER_JAAR[0]}|{_ZONDER_JAAR[1]})(?![0-9A-Za-z])", re.IGNORECASE)


def _is_getal(geschreven: str | None, getal: int) -> bool:
    """`geschreven` is `getal` as a day or month is written: with or without one leading zero."""
    return geschreven is not None and geschreven in (str(getal), f"0{getal}")


def _is_jaar(geschreven: str, jaar: int, *, kort: bool) -> bool:
    return geschreven == str(jaar) or (kort and geschreven.lstrip("'") == f"{jaar % 100:02d}")


def _dag_maand(match: re.Match[str], datum: date) -> bool:
    """The day and month of a candidate with a month's name are those of `datum`."""
    for d, n in (("d5", "n5"), ("d6", "n6")):
        if match.group(n) is not None:
            return _MAAND_NUMMER[match.group(n).casefold()] == datum.month and _is_getal(
                match.group(d), datum.day
            )
    return False


def _is_datum(match: re.Match[str], datum: date) -> bool:
    """The candidate is `datum` written in full, or without its year after a month's name."""
    d, m, y = datum.day, datum.month, datum.year
    g = match.group
    if g("d1") is not None:
        return _is_getal(g("d1"), d) and _is_getal(g("m1"), m) and _is_jaar(g("y1"), y, kort=True)
    if g("y2") is not None:
        return g("y2") == str(y) and _is_getal(g("m2"), m) and _is_getal(g("d2"), d)
    if g("c8") is not None:
        return g("c8") in (f"{d:02d}{m:02d}{y}", f"{y}{m:02d}{d:02d}")
    if not _dag_maand(match, datum):
        return False
    if g("n5") is not None:
        return g("y5") is None or _is_jaar(g("y5"), y, kort=True)
    return g("y6") is None or _is_jaar(g("y6"), y, kort=False)


def _geboorte_kandidaat(text: str, position: int) -> re.Match[str] | None:
    """`_GEBOORTE_KANDIDAAT.search(text, position)`, trying only the starts a candidate can have: up to
    `_VOOR_CIJFER` characters before a run of digits. A text without digits is not scanned at all."""
    for run in _DIGIT_GROUP.finditer(text, position):
        for start in range(max(position, run.start() - _VOOR_CIJFER), run.start() + 1):
            if (match := _GEBOORTE_KANDIDAAT.match(text, start)) is not None:
                return match
        position = run.start() + 1
    return None


def _birth_date_spans(text: str, dates: Sequence[date]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    position = 0
    while (match := _geboorte_kandidaat(text, position)) is not None:
        if any(_is_datum(match, datum) for datum in dates):
            spans.append(match.span())
            position = match.end()
            continue
        # Another year after the right day and month: the day and month alone are the birth date.
        if any(_dag_maand(match, datum) for datum in dates) and (
            (kort := _GEBOORTE_ZONDER_JAAR.match(text, match.start())) is not None
            and any(_dag_maand(kort, datum) for datum in dates)
        ):
            spans.append(kort.span())
            position = kort.end()
            continue
        position = match.start() + 1
    return spans


# --- replacement helpers --------------------------------------------------------------------------

Pass = Callable[[str], tuple[str, int]]


def _replace_pattern(pattern: re.Pattern[str], soort: Identificator) -> Pass:
    def replace(text: str) -> tuple[str, int]:
        return pattern.subn(soort.placeholder, text)

    return replace


def _replace_spans(text: str, spans: Iterable[tuple[int, int]], placeholder: str) -> tuple[str, int]:
    """Replace merged spans of `text`; touching or overlapping spans become one placeholder."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    position = 0
    for start, end in merged:
        pieces += [text[position:start], placeholder]
        position = end
    pieces.append(text[position:])
    return "".join(pieces), len(merged)


def _iban_valid(compact: str) -> bool:
    candidate = compact.upper()
    if not (candidate[:2].isalpha() and candidate[2:4].isdigit()):
        return False
    rearranged = candidate[4:] + candidate[:4]
    # A=10 ... Z=35, as ISO 13616 prescribes.
    numeric = "".join(str(int(char, 36)) for char in rearranged)
    return int(numeric) % 97 == 1


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _iban_end(text: str, start: int) -> int | None:
    """End of the longest IBAN starting at `start`, or None. Longest first: never leave a tail behind."""
    compact: list[str] = []
    ends: list[int] = []  # ends[i]: text index just after the (i+1)-th IBAN character
    index = start
    while index < len(text) and len(compact) < _IBAN_MAX:
        char = text[index]
        if _alnum(char):
            compact.append(char)
            index += 1
            ends.append(index)
            continue
        gap = index
        while gap < len(text) and gap - index < _IBAN_MAX_GAP and text[gap] in _SEPARATOR_CHARS:
            gap += 1
        if gap == index or gap >= len(text) or not _alnum(text[gap]):
            break
        index = gap
    vast = _IBAN_LENGTES.get("".join(compact[:2]).upper())
    lengths = [vast] if vast is not None and vast <= len(compact) else []
    if vast is None:
        lengths = list(range(len(compact), _IBAN_MIN - 1, -1))
    for length in lengths:
        end = ends[length - 1]
        at_boundary = end == len(text) or not _alnum(text[end])
        if at_boundary and _iban_valid("".join(compact[:length])):
            return end
    return None


def _replace_iban(text: str) -> tuple[str, int]:
    pieces: list[str] = []
    position = 0
    count = 0
    search_from = 0
    while (match := _IBAN_START.search(text, search_from)) is not None:
        spatie = match.group("spatie")
        end = None if spatie is not None and spatie not in _IBAN_LENGTES else _iban_end(text, match.start())
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
    spans = [
        m.span("nummer")
        for m in _BSN_TREFWOORD.finditer(text)
        if passes_elfproef("0" + "".join(c for c in m.group("nummer") if c.isdigit()))
    ]
    text, count = _replace_spans(text, spans, Identificator.BSN.placeholder)

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


def _replace_geboortedatum(people: Sequence[KnownIdentity]) -> Pass:
    dates = [p.birth_date for p in people if p.birth_date is not None]

    def replace(text: str) -> tuple[str, int]:
        count = 0
        if dates:
            text, count = _replace_spans(
                text, _birth_date_spans(text, dates), Identificator.GEBOORTEDATUM.placeholder
            )
        spans = [m.span("datum") for m in _GEBOORTE_TREFWOORD.finditer(text)]
        text, n = _replace_spans(text, spans, Identificator.GEBOORTEDATUM.placeholder)
        return text, count + n

    return replace


# --- known values ---------------------------------------------------------------------------------

_LOOSE_SEP = rf"(?>[ \t]{{0,3}}{_NL}[ \t]{{0,3}}|[ \t.\-/()]{{0,3}})"
_POSTCODE_IN_ADRES = re.compile(r"[1-9][0-9]{3}[ \t]?[A-Za-z]{2}(?![A-Za-z])")
# Words of an address or name too common to replace on their own.
_TUSSENVOEGSELS = frozenset(
    {
        "van",
        "der",
        "den",
        "de",
        "het",
        "ter",
        "ten",
        "te",
        "op",
        "in",
        "la",
        "le",
        "du",
        "da",
        "di",
        "del",
        "'t",
    }
)
_ADRES_STOPWOORDEN = _TUSSENVOEGSELS | {"aan", "bij", "en", "nabij", "hoek", "nr", "huisnummer", "postcode"}


# A stretch of letters and digits with at most a loose separator between each two: a known value written
# with any separators lies inside one such run, so the record's values are found without a pattern of their own.
_LOOSE_RUN = re.compile(rf"[0-9a-z](?:{_LOOSE_SEP}[0-9a-z])*")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_ASCII_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")
_MIN_LOOSE = 5  # shorter values are left to the shape-based passes: too many false hits


def _loose(value: str) -> str | None:
    """`value`'s letters and digits, folded: what it is matched by, with any separators between them."""
    chars = "".join(c for c in _fold_value(value) if _alnum(c))
    return chars if len(chars) >= _MIN_LOOSE else None


def _loose_spans(folded: str, values: frozenset[str]) -> list[tuple[int, int]]:
    """Where in `folded` one of `values` is written with up to three separators between its characters
    (`_LOOSE_SEP`), not as part of a longer run of letters or digits."""
    spans: list[tuple[int, int]] = []
    for run in _LOOSE_RUN.finditer(folded):
        bare = _NOT_ALNUM.sub("", run.group())
        positions: list[int] | None = None
        for value in values:
            index = bare.find(value)
            while index >= 0:
                if positions is None:
                    positions = [run.start() + i for i, c in enumerate(run.group()) if c in _ASCII_ALNUM]
                start, end = positions[index], positions[index + len(value) - 1] + 1
                if (start == 0 or folded[start - 1] not in _ASCII_ALNUM) and (
                    end == len(folded) or folded[end] not in _ASCII_ALNUM
                ):
                    spans.append((start, end))
                index = bare.find(value, index + 1)
    return spans


def _replace_known_values(people: Sequence[KnownIdentity]) -> list[tuple[Identificator, Pass]]:
    per_soort: dict[Identificator, set[str]] = {}
    for person in people:
        postcodes = [person.postcode] if person.postcode else []
        for adres in (person.address, person.street):
            if adres:
                postcodes += [m.group() for m in _POSTCODE_IN_ADRES.finditer(normalise_text(adres))]
        for soort, value in (
            (Identificator.EMAIL, person.email),
            (Identificator.IBAN, person.iban),
            (Identificator.TELEFOON, person.phone),
            (Identificator.BSN, person.bsn),
            (Identificator.KENTEKEN, person.plate),
            *((Identificator.POSTCODE, p) for p in postcodes),
        ):
            if value and (bare := _loose(value)) is not None:
                per_soort.setdefault(soort, set()).add(bare)
    return [(soort, _loose_pass(frozenset(values), soort)) for soort, values in per_soort.items()]


def _loose_pass(values: frozenset[str], soort: Identificator) -> Pass:
    def replace(text: str) -> tuple[str, int]:
        folded, origin = _fold(text)
        spans = [(origin[start], origin[end - 1] + 1) for start, end in _loose_spans(folded, values)]
        if not spans:
            return text, 0
        return _replace_spans(text, spans, soort.placeholder)

    return replace


@dataclass(frozen=True, slots=True)
class _Woordpatroon:
    """A pattern of a record's own words (names, address), and the words of which every match holds one,
    with their apostrophes and hyphens left out."""

    bron: str
    woorden: frozenset[str]


def _folded_pass(patroon: _Woordpatroon, soort: Identificator) -> Pass:
    """Match the pattern in the folded text, replace the matching stretches of the text itself.

    The pattern is compiled only for a text that holds one of its words (compiling a record's pattern costs
    more than the rest of its scrubbing): a word may be written with an apostrophe or a hyphen between any two
    letters, so the text is searched without those."""

    def replace(text: str) -> tuple[str, int]:
        folded, origin = _fold(text)
        kaal = folded.replace("'", "").replace("-", "")
        if not any(woord in kaal for woord in patroon.woorden):
            return text, 0
        spans = [
            (origin[m.start()], origin[m.end() - 1] + 1)
            for m in _patroon(patroon.bron).finditer(folded)
            if m.end() > m.start()
        ]
        if not spans:
            return text, 0
        return _replace_spans(text, spans, soort.placeholder)

    return replace


_WOORDGRENS = re.compile(r"[^\w']+")
_HUISNUMMER_WOORD = re.compile(r"[0-9]+[a-z]{0,3}")


def _words(value: str) -> list[str]:
    return [w for w in _WOORDGRENS.split(_fold_value(value)) if w.strip("'")]


def _word_pattern(word: str) -> str:
    # Apostrophes and hyphens inside a word may be written or left out (O'Brien, OBrien).
    return "['\\-]?".join(re.escape(c) for c in word.replace("'", ""))


def _alternatives(words: Iterable[str]) -> str:
    return "|".join(_word_pattern(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


_WORD_SEP = r"(?>[\s,\-]{1,3})"
_START = r"(?<![\w\[\-'])"
_END = r"(?![\w\]\-])"


def _name_pattern(people: Sequence[KnownIdentity]) -> _Woordpatroon | None:
    parts: set[str] = set()
    short: set[str] = set()
    prefixes: set[str] = set()
    initials: set[str] = set()
    for person in people:
        for naam in person.names:
            for word in _words(naam):
                bare = word.replace("'", "")
                if word in _TUSSENVOEGSELS:
                    prefixes.add(word)
                elif len(bare) >= 3:
                    parts.add(word)
                    initials.add(bare[0])
                elif bare:
                    short.add(word)
                    initials.add(bare[0])
    if not parts:
        return None
    main = rf"(?:{_alternatives(parts)})(?:'s|s|')?"
    minor = [rf"[{''.join(sorted(initials))}](?:\.[\s,\-]{{0,2}}|{_WORD_SEP})"]
    if short:
        minor.append(rf"(?:{_alternatives(short)}){_WORD_SEP}")
    if prefixes:
        minor.append(rf"(?:{_alternatives(prefixes)}){_WORD_SEP}")
    lead = rf"(?:{'|'.join(minor)}){{0,6}}"
    follow = [main, rf"[{''.join(sorted(initials))}]\."]
    if short:
        follow.append(rf"(?:{_alternatives(short)})(?!\w)")
    if prefixes:
        follow.append(rf"(?:(?:{_alternatives(prefixes)}){_WORD_SEP}){{1,3}}{main}")
    return _Woordpatroon(
        bron=rf"{_START}{lead}{main}(?:{_WORD_SEP}(?:{'|'.join(follow)})){{0,8}}{_END}",
        woorden=frozenset(w.replace("'", "") for w in parts),
    )


def _address_pattern(people: Sequence[KnownIdentity]) -> _Woordpatroon | None:
    words: set[str] = set()
    numbers: set[str] = set()
    for person in people:
        for value in (person.address, person.street, person.town):
            if not value:
                continue
            zonder_postcode = _POSTCODE_IN_ADRES.sub(" ", normalise_text(value))
            for word in _words(zonder_postcode):
                if word.isdigit() or _HUISNUMMER_WOORD.fullmatch(word):
                    numbers.add(word)
                elif len(word) >= 3 and word not in _ADRES_STOPWOORDEN:
                    words.add(word)
        if person.house_number:
            numbers.update(w for w in _words(person.house_number) if w[:1].isdigit())
    if not words:
        return None
    word = rf"(?:{_alternatives(words)})"
    number = rf"(?:{_alternatives(numbers)})" if numbers else None
    tail = rf"(?:{_WORD_SEP}{number})?" if number else ""
    return _Woordpatroon(
        bron=rf"{_START}{word}(?:{_WORD_SEP}{word}){{0,6}}{tail}{_END}",
        woorden=frozenset(w.replace("'", "") for w in words),
    )


# --- known values as keyed hashes -----------------------------------------------------------------

Lookup = Callable[[Identificator, str], bool]

_DATE_CANDIDATE = re.compile(
    rf"""(?<![0-9])(?:
        (?P<d1>[0-9]{{1,2}}){_DATE_SEP}(?P<m1>[0-9]{{1,2}}){_DATE_SEP}(?P<y1>[0-9]{{4}}|[0-9]{{2}})
      | (?P<y2>[0-9]{{4}}){_DATE_SEP}(?P<m2>[0-9]{{1,2}}){_DATE_SEP}(?P<d2>[0-9]{{1,2}})
      | (?P<d3>[0-9]{{2}})(?P<m3>[0-9]{{2}})(?P<y3>(?:19|20)[0-9]{{2}})
      | (?P<y4>(?:19|20)[0-9]{{2}})(?P<m4>[0-9]{{2}})(?P<d4>[0-9]{{2}})
      | (?P<d5>[0-9]{{1,2}})(?:e|ste|de)?{_MAAND_SEP}(?P<n5>{_ELKE_MAAND})\.?
        (?:{_MAAND_SEP}'?(?P<y5>[0-9]{{4}}|[0-9]{{2}})(?![0-9]))?
      | (?P<n6>{_ELKE_MAAND})\.?[ \t]{{0,2}}(?P<d6>[0-9]{{1,2}})(?:st|nd|rd|th)?(?:,?[ \t]{{0,2}}(?P<y6>[0-9]{{4}}))?
    )(?![0-9A-Za-z])""",
    re.IGNORECASE | re.VERBOSE,
)


def _date_tokens(match: re.Match[str]) -> list[str]:
    """The tokens (ISO dates, or --MM-DD without a year) a date written in the text may stand for."""
    for n in range(1, 7):
        if match.group(f"d{n}") is not None:
            dag = int(match.group(f"d{n}"))
            maand = (
                int(match.group(f"m{n}")) if n <= 4 else _MAAND_NUMMER.get(match.group(f"n{n}").casefold(), 0)
            )
            jaar = match.group(f"y{n}")
            break
    else:  # pragma: no cover - one alternative always matched
        return []
    if not (1 <= maand <= 12 and 1 <= dag <= 31):
        return []
    if jaar is None:
        return [f"--{maand:02d}-{dag:02d}"]
    jaren = [int(jaar)] if len(jaar) == 4 else [1900 + int(jaar), 2000 + int(jaar)]
    tokens = []
    for j in jaren:
        try:
            tokens.append(date(j, maand, dag).isoformat())
        except ValueError:
            continue
    return tokens


def _compact(value: str) -> str:
    return "".join(c for c in _fold_value(value) if _alnum(c))


_POSTCODE_CANDIDATE = re.compile(rf"(?<![0-9A-Za-z])[1-9][0-9]{{3}}{_SPACE}?[A-Za-z]{{2}}(?![0-9A-Za-z])")


def _replace_looked_up_postcodes(lookup: Lookup | None) -> Pass:
    def replace(text: str) -> tuple[str, int]:
        if lookup is None:
            return text, 0
        spans = [
            m.span()
            for m in _POSTCODE_CANDIDATE.finditer(text)
            if lookup(Identificator.POSTCODE, _compact(m.group()))
        ]
        return _replace_spans(text, spans, Identificator.POSTCODE.placeholder)

    return replace


def _replace_looked_up_dates(lookup: Lookup | None) -> Pass:
    def replace(text: str) -> tuple[str, int]:
        if lookup is None:
            return text, 0
        spans = [
            m.span()
            for m in _DATE_CANDIDATE.finditer(text)
            if any(lookup(Identificator.GEBOORTEDATUM, t) for t in _date_tokens(m))
        ]
        return _replace_spans(text, spans, Identificator.GEBOORTEDATUM.placeholder)

    return replace


def identity_tokens(known: KnownIdentity | Sequence[KnownIdentity]) -> frozenset[tuple[Identificator, str]]:
    """The folded words and dates of the known people that `lookup` is asked about later."""
    people = (known,) if isinstance(known, KnownIdentity) else tuple(known)
    tokens: set[tuple[Identificator, str]] = set()
    for person in people:
        for naam in person.names:
            woorden = [w.replace("'", "") for w in _words(naam)]
            tokens.update((Identificator.NAAM, w) for w in woorden)
            # Initials as "c.": a single letter of the text is only asked about in that form.
            tokens.update((Identificator.NAAM, f"{w[0]}.") for w in woorden if w and w not in _TUSSENVOEGSELS)
        postcodes = [person.postcode] if person.postcode else []
        for value in (person.address, person.street, person.town, person.house_number):
            if value:
                genormaliseerd = normalise_text(value)
                postcodes += [m.group() for m in _POSTCODE_IN_ADRES.finditer(genormaliseerd)]
                zonder_postcode = _POSTCODE_IN_ADRES.sub(" ", genormaliseerd)
                tokens.update(
                    (Identificator.ADRES, w)
                    for w in _words(zonder_postcode)
                    if w[:1].isdigit() or (len(w) >= 3 and w not in _ADRES_STOPWOORDEN)
                )
        tokens.update((Identificator.POSTCODE, _compact(p)) for p in postcodes)
        if person.birth_date is not None:
            tokens.add((Identificator.GEBOORTEDATUM, person.birth_date.isoformat()))
            tokens.add(
                (Identificator.GEBOORTEDATUM, f"--{person.birth_date.month:02d}-{person.birth_date.day:02d}")
            )
    return frozenset((soort, token) for soort, token in tokens if token)


def _looked_up_identity(text: str, lookup: Lookup) -> KnownIdentity | None:
    """The words of `text` that `lookup` says are a known name or address word, as a `KnownIdentity`."""
    names: set[str] = set()
    street: set[str] = set()
    numbers: set[str] = set()
    for word in set(re.findall(r"[\w']+", _fold(text)[0])):
        bare = word.replace("'", "")
        candidates = {bare}
        for suffix in ("'s", "s", "'"):
            if word.endswith(suffix) and len(word) > len(suffix) + 2:
                candidates.add(word[: -len(suffix)].replace("'", ""))
        for candidate in candidates:
            if lookup(Identificator.NAAM, candidate):
                names.add(candidate)
            if lookup(Identificator.ADRES, candidate):
                (numbers if candidate[:1].isdigit() else street).add(candidate)
    if not names and not street:
        return None
    if names:
        names.update(
            letter for letter in "abcdefghijklmnopqrstuvwxyz" if lookup(Identificator.NAAM, f"{letter}.")
        )
    return KnownIdentity(
        names=(" ".join(sorted(names)),) if names else (),
        street=" ".join(sorted(street)) or None,
        house_number=" ".join(sorted(numbers)) or None,
    )


# --- the scrubber ---------------------------------------------------------------------------------


def _passes(people: Sequence[KnownIdentity], lookup: Lookup | None) -> list[tuple[Identificator, Pass]]:
    passes: list[tuple[Identificator, Pass]] = [
        (Identificator.EMAIL, _replace_pattern(_EMAIL_OBFUSCATED, Identificator.EMAIL)),
        (Identificator.EMAIL, _replace_pattern(_EMAIL, Identificator.EMAIL)),
        (Identificator.IBAN, _replace_iban),
        (Identificator.GEBOORTEDATUM, _replace_geboortedatum(people)),
        (Identificator.GEBOORTEDATUM, _replace_looked_up_dates(lookup)),
        (Identificator.TELEFOON, _replace_telefoon),
        (Identificator.BSN, _replace_bsn),
        (Identificator.KENTEKEN, _replace_pattern(_KENTEKEN, Identificator.KENTEKEN)),
        (
            Identificator.POSTCODE_HUISNUMMER,
            _replace_pattern(_POSTCODE_HUISNUMMER, Identificator.POSTCODE_HUISNUMMER),
        ),
        (Identificator.POSTCODE, _replace_pattern(_POSTCODE_ALLEEN, Identificator.POSTCODE)),
        (Identificator.POSTCODE, _replace_looked_up_postcodes(lookup)),
        *_replace_known_values(people),
    ]
    if (adres := _address_pattern(people)) is not None:
        passes.append((Identificator.ADRES, _folded_pass(adres, Identificator.ADRES)))
    if (naam := _name_pattern(people)) is not None:
        passes.append((Identificator.NAAM, _folded_pass(naam, Identificator.NAAM)))
    return passes


def scrub_text(
    text: str, *, known: KnownIdentity | Sequence[KnownIdentity] = (), lookup: Lookup | None = None
) -> ScrubResult:
    """Replace every identifier the module docstring lists; `known` and `lookup` add the record's people.

    Returns the normalised, scrubbed text and the number of replacements per kind.
    """
    people = (known,) if isinstance(known, KnownIdentity) else tuple(known)
    counts: dict[Identificator, int] = dict.fromkeys(Identificator, 0)
    text = normalise_text(text)
    if lookup is not None and (gevonden := _looked_up_identity(text, lookup)) is not None:
        people = (*people, gevonden)
    for soort, replace in _passes(people, lookup):
        text, count = replace(text)
        counts[soort] += count
    return ScrubResult(text=text, counts=MappingProxyType(counts))
