"""The record's own values are found without compiling a pattern per record: the same as the per-record
patterns the scrubber used to build, checked against those patterns (kept here as the reference).

Compiling a pattern from a person's values cost most of a signal's CPU time (every record has new values);
the scrubber now matches generic candidates and compares them with the values. These tests generate texts
around a value, written in the forms the scrubber knows and in near misses, and compare where the old
pattern and the new matching find it.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from meldroute_common import scrubbing
from meldroute_common.scrubbing import _DATE_SEP, _LOOSE_SEP, _MAAND_SEP, _MAANDEN, KnownIdentity, scrub_text

# --- the reference: the per-record patterns as they were ------------------------------------------


def _oude_waardepatroon(waarden: set[str]) -> re.Pattern[str]:
    delen = [_LOOSE_SEP.join(re.escape(c) for c in w) for w in waarden]
    return re.compile(rf"(?<![0-9a-z])(?:{'|'.join(sorted(set(delen), key=len, reverse=True))})(?![0-9a-z])")


def _oud_geboortepatroon(datum: date) -> re.Pattern[str]:
    d, m, y = datum.day, datum.month, datum.year
    dag, maand = rf"0?{d}", rf"0?{m}"
    jaar = rf"(?:{y}|'?{y % 100:02d})"
    namen = "|".join(sorted(_MAANDEN[m], key=lambda n: -len(n)))
    vormen = [
        rf"{dag}{_DATE_SEP}{maand}{_DATE_SEP}{jaar}",
        rf"{y}{_DATE_SEP}{maand}{_DATE_SEP}{dag}",
        rf"{d:02d}{m:02d}{y}",
        rf"{y}{m:02d}{d:02d}",
        rf"{dag}(?:e|ste|de)?{_MAAND_SEP}(?:{namen})\.?(?:{_MAAND_SEP}{jaar}(?![0-9]))?",
        rf"(?:{namen})\.?[ \t]{{0,2}}{dag}(?:st|nd|rd|th)?(?:,?[ \t]{{0,2}}{y})?",
    ]
    return re.compile(rf"(?<![0-9])(?:{'|'.join(vormen)})(?![0-9A-Za-z])", re.IGNORECASE)


def _bedekt(spans: list[tuple[int, int]]) -> set[int]:
    return {i for start, end in spans for i in range(start, end)}


# --- known values with any separators ---------------------------------------------------------------

# A small alphabet makes values that overlap and nearly match each other and their neighbours.
_waarde = st.text(alphabet="ab12", min_size=5, max_size=8)
_tussen = st.sampled_from(["", "", "", " ", "  ", "   ", "    ", "-", ".", "/", "(", ")", "-.", "\n", " \n ",
                           "\r\n", "\t", " \n\n", ",", "_", "é", "x"])  # fmt: skip
_ruis = st.sampled_from(["", " ", "a", "1", "b2", ",", ".", "\n", "x", "é", "-", "  "])


@st.composite
def _tekst_met_waarden(draw: st.DrawFn) -> tuple[str, frozenset[str]]:
    waarden = draw(st.sets(_waarde, min_size=1, max_size=3))
    stukken: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        waarde = draw(st.sampled_from(sorted(waarden)))
        stukken.append(draw(_ruis))
        stukken.append("".join(c + draw(_tussen) for c in waarde[:-1]) + waarde[-1])
    stukken.append(draw(_ruis))
    return "".join(stukken), frozenset(waarden)


@settings(max_examples=300, deadline=None)
@given(_tekst_met_waarden())
def test_known_values_are_found_where_their_pattern_finds_them(geval: tuple[str, frozenset[str]]) -> None:
    tekst, waarden = geval
    oud = _oude_waardepatroon(set(waarden))
    nieuw = _bedekt(scrubbing._loose_spans(tekst, waarden))
    # Everything the pattern replaced is replaced, and nothing the pattern would not match from some start.
    assert _bedekt([m.span() for m in oud.finditer(tekst)]) <= nieuw
    elke_start = [m.span() for s in range(len(tekst)) if (m := oud.match(tekst, s)) is not None]
    assert nieuw <= _bedekt(elke_start)


def test_a_known_phone_number_in_any_spelling_is_replaced() -> None:
    bekend = KnownIdentity(phone="06-19654514")
    for tekst in ["bel 0619654514.", "bel 06 19 65 45 14", "bel (06) 196-545-14", "bel 06.1965\n4514"]:
        assert scrub_text(tekst, known=bekend).text.startswith("bel [TELEFOON]"), tekst
    # Part of a longer number, or with too wide a gap, it is not this value.
    for tekst in ["bel 106196545140", "bel 0619    654514", "bel 0619,654514"]:
        assert scrubbing._loose_spans(tekst, frozenset({"0619654514"})) == [], tekst


# --- birth dates in every form --------------------------------------------------------------------

_NAMEN = sorted({n for namen in _MAANDEN.values() for n in namen})


@st.composite
def _geschreven_datum(draw: st.DrawFn, datum: date) -> str:
    """`datum`, a neighbour of it, or a different date, in one of the forms, with the writing varied."""
    d = draw(st.sampled_from([datum.day, datum.day, (datum.day % 28) + 1, 11]))
    m = draw(st.sampled_from([datum.month, datum.month, (datum.month % 12) + 1]))
    y = draw(st.sampled_from([datum.year, datum.year, datum.year + 1, 1999]))
    getal = lambda n: draw(st.sampled_from([str(n), f"{n:02d}", f"0{n:02d}"]))  # noqa: E731
    jaar = draw(st.sampled_from([str(y), f"{y % 100:02d}", f"'{y % 100:02d}", f"{y}1", str(y)[1:]]))
    sep = draw(st.sampled_from(["-", "/", ".", " ", "  ", " - ", "", "   ", "\t"]))
    msep = draw(st.sampled_from([" ", "-", "/", "", " - ", "   "]))
    naam = draw(st.sampled_from([*_MAANDEN[m], *_NAMEN]))
    naam = draw(st.sampled_from([naam, naam.upper(), naam.capitalize()])) + draw(st.sampled_from(["", "."]))
    vorm = draw(st.integers(0, 6))
    if vorm == 0:
        return f"{getal(d)}{sep}{getal(m)}{sep}{jaar}"
    if vorm == 1:
        return f"{y}{sep}{getal(m)}{sep}{getal(d)}"
    if vorm == 2:
        return f"{d:02d}{m:02d}{y}"
    if vorm == 3:
        return f"{y}{m:02d}{d:02d}"
    if vorm == 4:
        achter = draw(st.sampled_from(["", "e", "ste", "de"]))
        return f"{getal(d)}{achter}{msep}{naam}" + draw(st.sampled_from(["", f"{msep}{jaar}"]))
    komma = draw(st.sampled_from(["", ",", ", ", " "]))
    achter = draw(st.sampled_from(["", "st", "th"]))
    return f"{naam}{draw(st.sampled_from(['', ' ', '  ']))}{getal(d)}{achter}" + draw(
        st.sampled_from(["", f"{komma}{y}", f"{komma}{jaar}"])
    )


@st.composite
def _tekst_met_datum(draw: st.DrawFn) -> tuple[str, date]:
    datum = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31)))
    rand = st.sampled_from(["", " ", "x", "1", "-", ", ", "\n", "a.", "0"])
    stukken = [draw(rand) + draw(_geschreven_datum(datum)) for _ in range(draw(st.integers(1, 3)))]
    return "".join(stukken) + draw(rand), datum


@settings(max_examples=500, deadline=None)
@given(_tekst_met_datum())
def test_a_birth_date_is_found_where_its_own_pattern_finds_it(geval: tuple[str, date]) -> None:
    tekst, datum = geval
    oud = [m.span() for m in _oud_geboortepatroon(datum).finditer(tekst)]
    assert scrubbing._birth_date_spans(tekst, [datum]) == oud


def test_two_birth_dates_in_one_text_are_both_replaced() -> None:
    mensen = [KnownIdentity(birth_date=date(2001, 4, 1)), KnownIdentity(birth_date=date(1990, 2, 3))]
    tekst = "Geboren 1 april, ook 03-02-1990 en 3 feb. 1990; niet 2 april 2001 of 1 april 1999 in 1-4-1999."
    geschoond = scrub_text(tekst, known=mensen).text
    assert geschoond == (
        "Geboren [GEBOORTEDATUM], ook [GEBOORTEDATUM] en [GEBOORTEDATUM]; niet 2 april 2001 of "
        "[GEBOORTEDATUM] 1999 in 1-4-1999."
    )


# --- names and addresses: compiled only for a text that holds one of their words -------------------

_naamdeel = st.sampled_from(["de", "van", "ana", "o'brien", "popescu", "ivanova", "el", "jan", "anne-marie"])
_schrijfwijze = st.sampled_from(["", "'", "-", " ", "  ", ", ", "-", "x"])


@st.composite
def _tekst_met_namen(draw: st.DrawFn) -> tuple[str, list[KnownIdentity]]:
    namen = [
        " ".join(draw(st.lists(_naamdeel, min_size=1, max_size=3))) for _ in range(draw(st.integers(1, 2)))
    ]
    stukken = []
    for _ in range(draw(st.integers(0, 4))):
        woord = draw(st.sampled_from(" ".join(namen).split()))
        # A name word with an apostrophe or hyphen put between two of its letters, or cut short.
        knip = draw(st.integers(0, len(woord)))
        stukken.append(
            draw(st.sampled_from([woord, woord[:knip] + draw(_schrijfwijze) + woord[knip:], woord[:knip]]))
        )
        stukken.append(draw(st.sampled_from([" ", ", ", "-", " de ", " J. ", "'s "])))
    return "".join(stukken), [KnownIdentity(names=(n,)) for n in namen]


@settings(max_examples=200, deadline=None)
@given(_tekst_met_namen())
def test_a_name_pass_that_skips_compiling_replaces_what_its_pattern_does(
    geval: tuple[str, list[KnownIdentity]],
) -> None:
    tekst, mensen = geval
    patroon = scrubbing._name_pattern(mensen)
    if patroon is None:
        return
    folded, origin = scrubbing._fold(tekst)
    spans = [
        (origin[m.start()], origin[m.end() - 1] + 1)
        for m in re.finditer(patroon.bron, folded)
        if m.end() > m.start()
    ]
    verwacht = scrubbing._replace_spans(tekst, spans, "[NAAM]")
    assert scrubbing._folded_pass(patroon, scrubbing.Identificator.NAAM)(tekst) == verwacht


def test_a_text_without_the_record_s_names_compiles_no_pattern() -> None:
    mensen = [KnownIdentity(names=("Grace Popescu",), address="Dorpsstraat 12, Zutphen")]
    scrubbing._patroon.cache_clear()
    scrub_text("Buren zien 's nachts busjes met steeds andere mensen.", known=mensen)
    assert scrubbing._patroon.cache_info().currsize == 0
    assert (
        scrub_text("Pop-escu woont aan de Dorpsstraat.", known=mensen).text == "[NAAM] woont aan de [ADRES]."
    )
    assert scrubbing._patroon.cache_info().currsize == 2


_stuk = st.sampled_from([*_NAMEN, "September.", "MEI", "0", "1", "12", "1990", "'90", "19901", "3e", "ste", " ", "  ",
                         "\t", "-", "/", ".", ",", "x", "é", "\n", "geboren"])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_stuk, max_size=30))
def test_the_candidate_scan_finds_what_a_full_search_finds_from_every_start(stukken: list[str]) -> None:
    tekst = "".join(stukken)
    for start in range(len(tekst) + 1):
        gezocht = scrubbing._GEBOORTE_KANDIDAAT.search(tekst, start)
        gevonden = scrubbing._geboorte_kandidaat(tekst, start)
        assert (gevonden and (gevonden.span(), gevonden.groupdict())) == (
            gezocht and (gezocht.span(), gezocht.groupdict())
        ), (tekst, start)
