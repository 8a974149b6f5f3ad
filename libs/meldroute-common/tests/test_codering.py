"""Base64url without padding, in both directions."""

from __future__ import annotations

import pytest
from meldroute_common.codering import decode_b64url, decode_b64url_int, encode_b64url, encode_b64url_int


@pytest.mark.parametrize("data", [b"", b"\x00", b"\xfb\xff", b"meldroute" * 7])
def test_round_trip_without_padding(data: bytes) -> None:
    tekst = encode_b64url(data)
    assert "=" not in tekst and "+" not in tekst and "/" not in tekst
    if data:
        assert decode_b64url(tekst) == data


@pytest.mark.parametrize("tekst", ["", "+/8", "YQ==", "a b", "é"])
def test_only_the_unpadded_url_alphabet_decodes(tekst: str) -> None:
    with pytest.raises(ValueError):
        decode_b64url(tekst)


def test_integers_shortest_or_of_a_fixed_length() -> None:
    assert encode_b64url_int(65537) == "AQAB"
    assert decode_b64url_int("AQAB") == 65537
    assert decode_b64url(encode_b64url_int(1, length=32)) == bytes(31) + b"\x01"
    with pytest.raises(ValueError):
        decode_b64url_int(65537)
