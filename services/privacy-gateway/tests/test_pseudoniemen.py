"""Partner-specific pseudonyms: stable per partner, different between partners, unambiguous input."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st
from privacy_gateway.pseudoniemen import MIN_SLEUTEL_BYTES, partner_pseudoniem

SLEUTEL = bytes(range(32))
LINK = "3f1c9a0e5b7d2c4f6a8e0b1d3c5f7a9e2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a"


def test_bekend_antwoord_volgens_het_gedocumenteerde_formaat() -> None:
    partner = "politie-oost-nederland"
    bericht = (
        b"meldroute/partner-pseudoniem/v1\x00"
        + len(partner).to_bytes(4, "big")
        + partner.encode()
        + len(LINK).to_bytes(4, "big")
        + LINK.encode()
    )
    verwacht = hmac.new(SLEUTEL, bericht, hashlib.sha256).hexdigest()
    assert partner_pseudoniem(sleutel=SLEUTEL, partner_id=partner, link_pseudoniem=LINK) == verwacht


def test_stabiel() -> None:
    eerste = partner_pseudoniem(sleutel=SLEUTEL, partner_id="riec-oost-nederland", link_pseudoniem=LINK)
    tweede = partner_pseudoniem(
        sleutel=bytes(SLEUTEL), partner_id="riec-oost-nederland", link_pseudoniem=LINK
    )
    assert eerste == tweede
    assert len(eerste) == 64
    assert int(eerste, 16) >= 0
    assert eerste == eerste.lower()


def test_verschilt_per_partner() -> None:
    partners = ["riec-oost-nederland", "politie-oost-nederland", "kmar", "af-gm1509", "af-gm0222"]
    pseudoniemen = {partner_pseudoniem(sleutel=SLEUTEL, partner_id=p, link_pseudoniem=LINK) for p in partners}
    assert len(pseudoniemen) == len(partners)
    assert LINK not in pseudoniemen


def test_verschilt_per_persoon_en_per_sleutel() -> None:
    a = partner_pseudoniem(sleutel=SLEUTEL, partner_id="kmar", link_pseudoniem=LINK)
    assert a != partner_pseudoniem(sleutel=SLEUTEL, partner_id="kmar", link_pseudoniem=LINK[:-1] + "b")
    assert a != partner_pseudoniem(sleutel=bytes(reversed(SLEUTEL)), partner_id="kmar", link_pseudoniem=LINK)


def test_grens_tussen_partner_en_link_is_eenduidig() -> None:
    # Plain concatenation would give "ab" + "c" == "a" + "bc".
    assert partner_pseudoniem(sleutel=SLEUTEL, partner_id="ab", link_pseudoniem="c") != partner_pseudoniem(
        sleutel=SLEUTEL, partner_id="a", link_pseudoniem="bc"
    )


def test_niet_te_herleiden_zonder_sleutel() -> None:
    # Not a plain hash of the inputs: without the gateway's key nobody can recompute it.
    pseudoniem = partner_pseudoniem(sleutel=SLEUTEL, partner_id="kmar", link_pseudoniem=LINK)
    assert pseudoniem != hashlib.sha256(("kmar" + LINK).encode()).hexdigest()
    assert pseudoniem != hmac.new(SLEUTEL, ("kmar" + LINK).encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("sleutel", "partner", "link"),
    [
        (b"x" * (MIN_SLEUTEL_BYTES - 1), "kmar", LINK),
        (b"", "kmar", LINK),
        (SLEUTEL, "", LINK),
        (SLEUTEL, "kmar", ""),
    ],
)
def test_ongeldige_invoer(sleutel: bytes, partner: str, link: str) -> None:
    with pytest.raises(ValueError):
        partner_pseudoniem(sleutel=sleutel, partner_id=partner, link_pseudoniem=link)


@given(
    a=st.text(min_size=1, max_size=30),
    b=st.text(min_size=1, max_size=30),
    link=st.text(min_size=1, max_size=64),
)
def test_verschillende_partners_nooit_hetzelfde_pseudoniem(a: str, b: str, link: str) -> None:
    pa = partner_pseudoniem(sleutel=SLEUTEL, partner_id=a, link_pseudoniem=link)
    pb = partner_pseudoniem(sleutel=SLEUTEL, partner_id=b, link_pseudoniem=link)
    assert (pa == pb) == (a == b)
