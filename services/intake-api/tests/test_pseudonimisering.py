from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from intake_api.pseudonimisering.bsn import (
    InvalidBsnError,
    is_valid_bsn,
    normalise_bsn,
    passes_elfproef,
    validate_bsn,
)
from intake_api.pseudonimisering.pseudoniem import link_pseudoniem, normalise_naam

from tests.builders import valid_bsns

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


# --- BSN --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990", "012345672", "100000009"])
def test_valid_bsns(bsn: str) -> None:
    assert passes_elfproef(bsn)
    assert validate_bsn(bsn) == bsn


@pytest.mark.parametrize(
    "bsn",
    ["123456789", "111222334", "000000000", "999999999", "12345678a", "１２３４５６７８２", "١٢٣٤٥٦٧٨٢"],
)
def test_invalid_bsns(bsn: str) -> None:
    assert not passes_elfproef(bsn)
    assert not is_valid_bsn(bsn)
    with pytest.raises(InvalidBsnError):
        validate_bsn(bsn)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123456782", "123456782"),
        (" 1234.56.782 ", "123456782"),
        ("123 456 782", "123456782"),
        ("123-456-782", "123456782"),
        ("12345672", "012345672"),
        ("1234 5672", "012345672"),
    ],
)
def test_normalise_bsn(raw: str, expected: str) -> None:
    assert normalise_bsn(raw) == expected


@pytest.mark.parametrize("raw", ["", "1234567", "1234567890", "12345678x", "123/456/782", "+123456782"])
def test_normalise_bsn_refuses_malformed(raw: str) -> None:
    with pytest.raises(InvalidBsnError):
        normalise_bsn(raw)


@given(bsn=valid_bsns(), position=st.integers(0, 8), delta=st.integers(1, 9))
def test_elfproef_catches_every_single_digit_error(bsn: str, position: int, delta: int) -> None:
    assert passes_elfproef(bsn)
    changed = bsn[:position] + str((int(bsn[position]) + delta) % 10) + bsn[position + 1 :]
    assert not passes_elfproef(changed)


@given(bsn=valid_bsns(), position=st.integers(0, 7))
def test_elfproef_catches_every_adjacent_swap(bsn: str, position: int) -> None:
    assume(bsn[position] != bsn[position + 1])
    swapped = bsn[:position] + bsn[position + 1] + bsn[position] + bsn[position + 2 :]
    assert not passes_elfproef(swapped)


# --- link pseudonym ---------------------------------------------------------------------------------


def test_bsn_pseudonym_is_hmac_of_prefixed_normalised_bsn() -> None:
    # The format is fixed: pseudonyms are stored, so a change would silently break every link.
    expected = hmac.new(KEY, b"bsn:123456782", hashlib.sha256).hexdigest()
    assert link_pseudoniem(sleutel=KEY, bsn="1234.56.782", naam=None, geboortedatum=None) == expected


def test_name_pseudonym_is_hmac_of_prefixed_name_and_date() -> None:
    expected = hmac.new(KEY, b"naam:jan de vries\x1fgeboortedatum:2001-05-04", hashlib.sha256).hexdigest()
    got = link_pseudoniem(sleutel=KEY, bsn=None, naam="Jan de Vries", geboortedatum=date(2001, 5, 4))
    assert got == expected


@pytest.mark.parametrize("bsn", ["123456782", "1234.56.782", " 123 456 782 ", "123-456-782"])
def test_bsn_pseudonym_stable_under_notation(bsn: str) -> None:
    reference = link_pseudoniem(sleutel=KEY, bsn="123456782", naam=None, geboortedatum=None)
    assert (
        link_pseudoniem(sleutel=KEY, bsn=bsn, naam="Wie dan ook", geboortedatum=date(1990, 1, 1)) == reference
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Jan-Willem de Vries", "  jan willem   DE VRIES "),
        ("Ján-Wíllem de Vriës", "Jan Willem de Vries"),
        ("O'Brien", "OBrien"),
        ("O’Brien", "obrien"),
        ("Łukasz Wójcik", "Lukasz Wojcik"),
        ("Ștefan Țurcanu", "Stefan Turcanu"),
        ("Strauß", "STRAUSS"),
        ("Ørsted", "Orsted"),
        ("ＪＡＮ", "jan"),
    ],
)
def test_name_pseudonym_stable_under_normalisation(a: str, b: str) -> None:
    geboren = date(1999, 12, 31)
    first = link_pseudoniem(sleutel=KEY, bsn=None, naam=a, geboortedatum=geboren)
    second = link_pseudoniem(sleutel=KEY, bsn=None, naam=b, geboortedatum=geboren)
    assert first is not None
    assert first == second


def test_different_people_and_keys_give_different_pseudonyms() -> None:
    geboren = date(1999, 12, 31)
    pseudonyms = {
        link_pseudoniem(sleutel=KEY, bsn="123456782", naam=None, geboortedatum=None),
        link_pseudoniem(sleutel=KEY, bsn="111222333", naam=None, geboortedatum=None),
        link_pseudoniem(sleutel=OTHER_KEY, bsn="123456782", naam=None, geboortedatum=None),
        link_pseudoniem(sleutel=KEY, bsn=None, naam="Jan de Vries", geboortedatum=geboren),
        link_pseudoniem(
            sleutel=KEY, bsn=None, naam="Jan de Vries", geboortedatum=geboren + timedelta(days=1)
        ),
        link_pseudoniem(sleutel=KEY, bsn=None, naam="Jan de Vriend", geboortedatum=geboren),
        link_pseudoniem(sleutel=OTHER_KEY, bsn=None, naam="Jan de Vries", geboortedatum=geboren),
        # Word boundaries matter: these two must not collide.
        link_pseudoniem(sleutel=KEY, bsn=None, naam="Anna Bel", geboortedatum=geboren),
        link_pseudoniem(sleutel=KEY, bsn=None, naam="Ann Abel", geboortedatum=geboren),
    }
    assert None not in pseudonyms
    assert len(pseudonyms) == 9


@given(naam=st.text(max_size=40), geboren=st.dates(), bsn=valid_bsns())
def test_name_never_yields_a_bsn_pseudonym(naam: str, geboren: date, bsn: str) -> None:
    by_name = link_pseudoniem(sleutel=KEY, bsn=None, naam=naam, geboortedatum=geboren)
    by_bsn = link_pseudoniem(sleutel=KEY, bsn=bsn, naam=None, geboortedatum=None)
    assert by_name != by_bsn


@pytest.mark.parametrize(
    ("bsn", "naam", "geboortedatum"),
    [
        (None, None, None),
        (None, "Jan de Vries", None),  # a name alone links too many people
        (None, None, date(2001, 5, 4)),
        (None, " - '' ", date(2001, 5, 4)),  # nothing left after normalisation
        ("   ", None, None),
    ],
)
def test_nothing_usable_gives_none(bsn: str | None, naam: str | None, geboortedatum: date | None) -> None:
    assert link_pseudoniem(sleutel=KEY, bsn=bsn, naam=naam, geboortedatum=geboortedatum) is None


def test_blank_bsn_falls_back_to_name() -> None:
    by_name = link_pseudoniem(sleutel=KEY, bsn=None, naam="Jan", geboortedatum=date(2001, 5, 4))
    assert by_name is not None
    assert link_pseudoniem(sleutel=KEY, bsn="  ", naam="Jan", geboortedatum=date(2001, 5, 4)) == by_name


@pytest.mark.parametrize("bsn", ["123456789", "12345", "abcdefghi"])
def test_invalid_bsn_is_an_error_even_with_a_name(bsn: str) -> None:
    with pytest.raises(InvalidBsnError):
        link_pseudoniem(sleutel=KEY, bsn=bsn, naam="Jan de Vries", geboortedatum=date(2001, 5, 4))


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        link_pseudoniem(sleutel=b"kort", bsn="123456782", naam=None, geboortedatum=None)


latin_names = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Zs", "Pd", "Po"), max_codepoint=0x24F), max_size=40
)


@given(naam=latin_names)
def test_normalise_naam_is_idempotent_and_case_blind(naam: str) -> None:
    once = normalise_naam(naam)
    assert normalise_naam(once) == once
    assert normalise_naam(naam.upper()) == once
    assert once == once.strip()
    assert "  " not in once
