"""Signed checkpoints (C2SP signed-note layout) and the witness file and directory, without a database."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from privacy_gateway.verwerkingen.checkpoints import (
    Checkpoint,
    CheckpointFout,
    Ondertekening,
    ondertekende_tekst,
)
from privacy_gateway.verwerkingen.getuige import Getuige

HERKOMST = "example.org/verwerkingenlog"
T = datetime(2026, 12, 1, 9, 15, 30, 123456, tzinfo=UTC)


def sleutel(zaad: int) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes([zaad]) * 32)


def test_signed_text_and_key_id_follow_the_signed_note_rules() -> None:
    prive = sleutel(1)
    ondertekening = Ondertekening.uit(herkomst=HERKOMST, privesleutels=[prive])
    checkpoint = ondertekening.onderteken(volgnummer=100, kop="ab" * 32, tijdstip=T)
    assert checkpoint.tijdstip == T.replace(microsecond=0)
    tekst = ondertekende_tekst(herkomst=HERKOMST, volgnummer=100, kop="ab" * 32, tijdstip=T)
    assert tekst == f"{HERKOMST}\n100\n{'ab' * 32}\n2026-12-01T09:15:30Z\n".encode()
    ruw = prive.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert checkpoint.sleutel_id == hashlib.sha256(HERKOMST.encode() + b"\n\x01" + ruw).digest()[:4].hex()
    prive.public_key().verify(checkpoint.handtekening, tekst)
    notitie = ondertekening.notitie(checkpoint)
    regel = notitie.split("\n\n")[1]
    assert regel.startswith(f"\u2014 {HERKOMST} ") and regel.endswith("\n")
    blob = base64.b64decode(regel.split(" ")[2])
    assert blob == bytes.fromhex(checkpoint.sleutel_id) + checkpoint.handtekening
    vkey = base64.b64encode(b"\x01" + ruw).decode()
    assert (
        ondertekening.verificatiesleutel(checkpoint.sleutel_id)
        == f"{HERKOMST}+{checkpoint.sleutel_id}+{vkey}"
    )


def test_the_same_moment_in_another_zone_signs_alike() -> None:
    ondertekening = Ondertekening.uit(herkomst=HERKOMST, privesleutels=[sleutel(1)])
    amsterdam = T.astimezone(timezone(timedelta(hours=1)))
    a = ondertekening.onderteken(volgnummer=1, kop="0" * 64, tijdstip=T)
    b = ondertekening.onderteken(volgnummer=1, kop="0" * 64, tijdstip=amsterdam)
    assert a == b


@pytest.mark.parametrize(
    ("veld", "waarde"),
    [("volgnummer", 101), ("kop", "cd" * 32), ("tijdstip", T + timedelta(seconds=1))],
)
def test_every_signed_field_counts(veld: str, waarde: object) -> None:
    ondertekening = Ondertekening.uit(herkomst=HERKOMST, privesleutels=[sleutel(1)])
    checkpoint = ondertekening.onderteken(volgnummer=100, kop="ab" * 32, tijdstip=T)
    assert ondertekening.verify(checkpoint) is None
    velden = {**checkpoint.als_dict(), veld: waarde}
    gewijzigd = Checkpoint(
        volgnummer=velden["volgnummer"],  # type: ignore[arg-type]
        kop=velden["kop"],  # type: ignore[arg-type]
        tijdstip=velden["tijdstip"] if isinstance(velden["tijdstip"], datetime) else checkpoint.tijdstip,
        sleutel_id=checkpoint.sleutel_id,
        handtekening=checkpoint.handtekening,
    )
    assert ondertekening.verify(gewijzigd) is CheckpointFout.HANDTEKENING_ONGELDIG


def test_another_origin_does_not_verify() -> None:
    a = Ondertekening.uit(herkomst=HERKOMST, privesleutels=[sleutel(1)])
    b = Ondertekening.uit(herkomst="example.org/ander-log", privesleutels=[sleutel(1)])
    checkpoint = a.onderteken(volgnummer=1, kop="0" * 64, tijdstip=T)
    # The key id depends on the name too, so the other log does not even know the key.
    assert b.verify(checkpoint) is CheckpointFout.ONBEKENDE_SLEUTEL


def test_rotation_one_key_signs_all_keys_verify() -> None:
    oud = Ondertekening.uit(herkomst=HERKOMST, privesleutels=[sleutel(1)])
    nieuw = Ondertekening.uit(
        herkomst=HERKOMST, privesleutels=[sleutel(2)], publiek=[sleutel(1).public_key()]
    )
    eerder = oud.onderteken(volgnummer=1, kop="0" * 64, tijdstip=T)
    later = nieuw.onderteken(volgnummer=2, kop="1" * 64, tijdstip=T)
    assert later.sleutel_id == nieuw.actief_id != eerder.sleutel_id
    assert nieuw.verify(eerder) is None and nieuw.verify(later) is None
    assert oud.verify(later) is CheckpointFout.ONBEKENDE_SLEUTEL


@pytest.mark.parametrize("herkomst", ["", "met spatie", "met+plus", "regel\neinde"])
def test_origin_must_be_a_key_name(herkomst: str) -> None:
    with pytest.raises(ValueError):
        Ondertekening.uit(herkomst=herkomst, privesleutels=[sleutel(1)])


def test_json_round_trip_and_malformed_entries() -> None:
    ondertekening = Ondertekening.uit(herkomst=HERKOMST, privesleutels=[sleutel(1)])
    checkpoint = ondertekening.onderteken(volgnummer=7, kop="ab" * 32, tijdstip=T)
    assert Checkpoint.uit_dict(json.loads(json.dumps(checkpoint.als_dict()))) == checkpoint
    goed = checkpoint.als_dict()
    for veld, waarde in [
        ("volgnummer", 0), ("volgnummer", True), ("volgnummer", "7"), ("kop", "AB" * 32), ("tijdstip", "gisteren"),
        ("sleutelId", "xyz"), ("handtekening", "!!"), ("handtekening", base64.b64encode(b"kort").decode()),
    ]:  # fmt: skip
        with pytest.raises(ValueError):
            Checkpoint.uit_dict({**goed, veld: waarde})


@pytest.mark.parametrize("vorm", ["bestand", "map"])
def test_witness_appends_and_reads_back(tmp_path: Path, vorm: str) -> None:
    pad = tmp_path / "getuige"
    if vorm == "map":
        pad.mkdir()
    getuige = Getuige(pad)
    ondertekening = Ondertekening.uit(herkomst=HERKOMST, privesleutels=[sleutel(1)])
    eerste = [ondertekening.onderteken(volgnummer=n, kop=f"{n:064x}", tijdstip=T) for n in (2, 4)]
    getuige.schrijf(eerste)
    getuige.schrijf([ondertekening.onderteken(volgnummer=6, kop=f"{6:064x}", tijdstip=T)])
    inhoud = getuige.lees()
    assert sorted(inhoud.checkpoints) == [2, 4, 6] and not inhoud.onleesbaar
    # Writing a position again does not overwrite it (directory) or is seen as a second entry (file).
    ander = ondertekening.onderteken(volgnummer=4, kop="f" * 64, tijdstip=T)
    getuige.schrijf([ander])
    inhoud = getuige.lees()
    assert inhoud.checkpoints[4] == eerste[1]
    if vorm == "bestand":
        assert inhoud.onleesbaar == ["regel 4: tweede, afwijkend checkpoint bij rij 4"]
    else:
        assert not inhoud.onleesbaar


def test_witness_reports_unreadable_entries(tmp_path: Path) -> None:
    pad = tmp_path / "getuige.jsonl"
    pad.write_text('[]\n{"volgnummer": 1}\n' + "x" * 5000 + "\n\n")
    inhoud = Getuige(pad).lees()
    assert inhoud.checkpoints == {}
    assert [r.split(":")[0] for r in inhoud.onleesbaar] == ["regel 1", "regel 2", "regel 3"]
    assert Getuige(tmp_path / "bestaat-niet.jsonl").lees().checkpoints == {}
