"""The verwerkingenlog's keyed hash chain: canonical encoding, and detection of change, deletion, reordering,
re-hashing without the key and rows under an unknown key."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from meldroute_common.beleid import Categorie
from privacy_gateway.verwerkingen.keten import (
    GENESIS_HASH,
    KetenFoutSoort,
    KetenRij,
    Ketensleutels,
    Verwerking,
    canonieke_json,
    ketensleutel_id,
    nieuwe_rij,
    normalise,
    rij_hash,
    verify_chain,
)

T0 = datetime(2026, 10, 2, 8, 15, tzinfo=UTC)
SLEUTEL = bytes(range(32))
SLEUTELS = Ketensleutels.uit([SLEUTEL])


def h(velden: dict[str, object] | Any, vorige_hash: str, sleutels: Ketensleutels = SLEUTELS) -> str:
    """The keyed hash of a row under the active key of ``sleutels``."""
    return rij_hash(
        velden=velden,
        vorige_hash=vorige_hash,
        sleutel=sleutels.sleutels[sleutels.actief],
        sleutel_id=sleutels.actief,
    )


def verwerking(i: int) -> Verwerking:
    return Verwerking(
        actie="verstrekking",
        verwerkingsactiviteit="casus-verstrekken-aan-partner",
        doel="casusoverleg",
        grondslag="art. 6 lid 1 sub e AVG; art. 10 AVG; convenant RIEC art. 5",
        afnemer="politie-oost-nederland",
        betrokkene=f"{i:064x}",
        vertrouwelijkheid="vertrouwelijk",
        bewaartermijn="P20Y",
        tijdstip=T0 + timedelta(minutes=i),
        request_id=f"req-{i}",
        casus_id=str(UUID(int=i)),
        detail={"categorieen": ["kern", "pseudoniem"], "regelId": "casusoverleg-riec-politie"},
    )


def keten(
    n: int, sleutels: Ketensleutels = SLEUTELS, *, vanaf: list[KetenRij] | None = None
) -> list[KetenRij]:
    rijen: list[KetenRij] = list(vanaf or [])
    for i in range(len(rijen), len(rijen) + n):
        rijen.append(
            nieuwe_rij(vorige=rijen[-1] if rijen else None, velden=verwerking(i).velden(), sleutels=sleutels)
        )
    return rijen


# --- canonical encoding -----------------------------------------------------------------------------


def test_canonieke_json_bekend_antwoord() -> None:
    velden = {
        "tijdstip": datetime(2026, 10, 2, 10, 15, tzinfo=timezone(timedelta(hours=2))),
        "afnemer": "politie-oost-nederland",
        "detail": {"b": 1, "a": [True, None, 1.5]},
        "betrokkene": "Zoë",
    }
    verwacht = (
        '{"afnemer":"politie-oost-nederland","betrokkene":"Zoë","detail":{"a":[true,null,1.5],"b":1},'
        '"tijdstip":"2026-10-02T08:15:00.000000Z"}'
    ).encode()
    assert canonieke_json(velden) == verwacht


def test_rij_hash_bekend_antwoord() -> None:
    velden = {"actie": "verstrekking", "tijdstip": datetime(2026, 10, 2, 8, 15, tzinfo=UTC)}
    invoer = (
        '{"velden":{"actie":"verstrekking","tijdstip":"2026-10-02T08:15:00.000000Z"},'
        '"vorigeHash":"0000000000000000000000000000000000000000000000000000000000000000"}'
    )
    invoer = (
        '{"sleutelId":"'
        + SLEUTELS.actief
        + '","velden":{"actie":"verstrekking","tijdstip":"2026-10-02T08:15:00.000000Z"},'
        '"vorigeHash":"0000000000000000000000000000000000000000000000000000000000000000"}'
    )
    verwacht = hmac.new(SLEUTEL, invoer.encode(), hashlib.sha256).hexdigest()
    assert h(velden, GENESIS_HASH) == verwacht
    # The public hash function does not give it: whoever lacks the key cannot compute a row's hash.
    assert hashlib.sha256(invoer.encode()).hexdigest() != verwacht


def test_volgorde_van_sleutels_telt_niet() -> None:
    a = {"x": 1, "y": {"p": 1, "q": 2}}
    b = {"y": {"q": 2, "p": 1}, "x": 1}
    assert h(a, GENESIS_HASH) == h(b, GENESIS_HASH)


def test_elk_veld_telt() -> None:
    basis = verwerking(1).velden()
    oorspronkelijk = h(basis, GENESIS_HASH)
    for sleutel in basis:
        gewijzigd = dict(basis)
        gewijzigd[sleutel] = "anders"
        assert h(gewijzigd, GENESIS_HASH) != oorspronkelijk, sleutel
    assert h(basis, "f" * 64) != oorspronkelijk
    # The key and the key id count too.
    assert h(basis, GENESIS_HASH, Ketensleutels.uit([b"x" * 32])) != oorspronkelijk
    anders_id = rij_hash(velden=basis, vorige_hash=GENESIS_HASH, sleutel=SLEUTEL, sleutel_id="0" * 16)
    assert anders_id != oorspronkelijk


def test_zelfde_moment_in_andere_tijdzone_geeft_zelfde_hash() -> None:
    utc = {"tijdstip": datetime(2026, 10, 2, 8, 15, tzinfo=UTC)}
    amsterdam = {"tijdstip": datetime(2026, 10, 2, 10, 15, tzinfo=timezone(timedelta(hours=2)))}
    assert canonieke_json(utc) == canonieke_json(amsterdam)


def test_opgeslagen_vorm_geeft_dezelfde_hash() -> None:
    class Soort(Enum):
        A = "a"

    velden: dict[str, object] = {
        **verwerking(3).velden(),
        "datum": date(2026, 10, 2),
        "id": UUID(int=7),
        "categorieen": frozenset({Categorie.PSEUDONIEM, Categorie.KERN}),
        "soort": Soort.A,
        "tuple": (1, 2),
    }
    opgeslagen = json.loads(json.dumps(normalise(velden)))
    assert opgeslagen["categorieen"] == ["kern", "pseudoniem"]
    assert opgeslagen["tijdstip"] == "2026-10-02T08:18:00.000000Z"
    assert h(opgeslagen, GENESIS_HASH) == h(velden, GENESIS_HASH)


@pytest.mark.parametrize(
    ("velden", "fout"),
    [
        ({"t": datetime(2026, 10, 2, 8, 15)}, ValueError),
        ({"x": float("nan")}, ValueError),
        ({"x": float("inf")}, ValueError),
        ({"x": {1: "a"}}, TypeError),
        ({"x": b"bytes"}, TypeError),
        ({"x": object()}, TypeError),
    ],
)
def test_niet_te_coderen_velden(velden: dict[str, object], fout: type[Exception]) -> None:
    with pytest.raises(fout):
        canonieke_json(velden)


@pytest.mark.parametrize("vorige", ["", "0" * 63, "F" * 64, "g" * 64])
def test_ongeldige_vorige_hash(vorige: str) -> None:
    with pytest.raises(ValueError, match="vorige_hash"):
        rij_hash(velden={}, vorige_hash=vorige, sleutel=SLEUTEL, sleutel_id=SLEUTELS.actief)


# --- the chain ----------------------------------------------------------------------------------


def test_lege_keten() -> None:
    uitkomst = verify_chain([], sleutels=SLEUTELS)
    assert uitkomst.ok
    assert uitkomst.aantal == 0
    assert uitkomst.kop == GENESIS_HASH
    assert uitkomst.eerste_fout is None


def test_intacte_keten() -> None:
    rijen = keten(6)
    assert rijen[0].vorige_hash == GENESIS_HASH
    assert [r.volgnummer for r in rijen] == [1, 2, 3, 4, 5, 6]
    assert all(b.vorige_hash == a.hash for a, b in itertools.pairwise(rijen))
    uitkomst = verify_chain(iter(rijen), sleutels=SLEUTELS)
    assert uitkomst.ok
    assert uitkomst.aantal == 6
    assert uitkomst.kop == rijen[-1].hash
    assert uitkomst.als_dict() == {"ok": True, "aantal": 6, "kop": rijen[-1].hash, "eersteFout": None}


def test_gewijzigde_rij() -> None:
    rijen = keten(6)
    velden = dict(rijen[2].velden)
    velden["afnemer"] = "kmar"
    rijen[2] = dataclasses.replace(rijen[2], velden=velden)
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert not uitkomst.ok
    assert uitkomst.eerste_fout is not None
    assert uitkomst.eerste_fout.volgnummer == 3
    assert uitkomst.eerste_fout.soort is KetenFoutSoort.GEWIJZIGD
    assert uitkomst.aantal == 2
    assert uitkomst.kop == rijen[1].hash


def test_gewijzigde_rij_met_herberekende_hash_breekt_de_volgende_schakel() -> None:
    rijen = keten(6)
    velden = dict(rijen[2].velden)
    velden["doel"] = "strafrechtelijk_onderzoek"
    rijen[2] = dataclasses.replace(rijen[2], velden=velden, hash=h(velden, rijen[1].hash))
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert uitkomst.eerste_fout.volgnummer == 4
    assert uitkomst.eerste_fout.soort is KetenFoutSoort.KETEN_VERBROKEN


def test_gewijzigde_opgeslagen_hash() -> None:
    rijen = keten(3)
    rijen[1] = dataclasses.replace(rijen[1], hash="a" * 64)
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (2, KetenFoutSoort.GEWIJZIGD)


def test_verwijderde_rij() -> None:
    rijen = keten(6)
    del rijen[2]
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert uitkomst.eerste_fout.volgnummer == 4
    assert uitkomst.eerste_fout.soort is KetenFoutSoort.ONTBREKENDE_RIJ
    assert "volgnummer 3 ontbreekt" in uitkomst.eerste_fout.toelichting
    assert uitkomst.aantal == 2


def test_verwijderde_eerste_rij() -> None:
    uitkomst = verify_chain(keten(4)[1:], sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (
        2,
        KetenFoutSoort.ONTBREKENDE_RIJ,
    )
    assert uitkomst.aantal == 0


def test_verwijderde_rijen_hernummerd() -> None:
    # Deleting a row and renumbering the rest hides the gap, but not the broken link.
    rijen = keten(6)
    del rijen[2]
    rijen = [dataclasses.replace(r, volgnummer=i + 1) for i, r in enumerate(rijen)]
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (
        3,
        KetenFoutSoort.KETEN_VERBROKEN,
    )


def test_verwisselde_rijen() -> None:
    rijen = keten(6)
    rijen[2], rijen[3] = rijen[3], rijen[2]
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert uitkomst.eerste_fout.volgnummer == 4
    assert uitkomst.eerste_fout.soort is KetenFoutSoort.VOLGORDE
    assert uitkomst.aantal == 2


def test_verwisselde_inhoud_met_behouden_volgnummers() -> None:
    # What reading with ORDER BY volgnummer returns after two rows' contents were swapped.
    rijen = keten(6)
    a, b = rijen[2], rijen[3]
    rijen[2] = dataclasses.replace(b, volgnummer=3)
    rijen[3] = dataclasses.replace(a, volgnummer=4)
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (
        3,
        KetenFoutSoort.KETEN_VERBROKEN,
    )


def test_dubbele_rij() -> None:
    rijen = keten(4)
    rijen.insert(2, rijen[1])
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (2, KetenFoutSoort.VOLGORDE)


def test_eerste_rij_moet_aan_genesis_hangen() -> None:
    rijen = keten(2)
    velden = rijen[0].velden
    andere_start = "1" * 64
    rijen[0] = KetenRij(1, velden, andere_start, h(velden, andere_start), SLEUTELS.actief)
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (
        1,
        KetenFoutSoort.KETEN_VERBROKEN,
    )


def test_afgekapte_staart_verandert_de_kop() -> None:
    # A shorter chain is valid on its own; the head hash, kept elsewhere, is what exposes truncation.
    rijen = keten(5)
    volledig = verify_chain(rijen, sleutels=SLEUTELS)
    ingekort = verify_chain(rijen[:-1], sleutels=SLEUTELS)
    assert ingekort.ok
    assert ingekort.kop != volledig.kop
    assert ingekort.aantal == volledig.aantal - 1


def test_verwerking_velden() -> None:
    velden = verwerking(2).velden()
    assert set(velden) == {
        "actie",
        "verwerkingsactiviteit",
        "doel",
        "grondslag",
        "afnemer",
        "betrokkene",
        "vertrouwelijkheid",
        "bewaartermijn",
        "tijdstip",
        "requestId",
        "casusId",
        "detail",
    }
    assert velden["requestId"] == "req-2"


def test_fout_als_dict() -> None:
    rijen = keten(3)
    del rijen[1]
    assert verify_chain(rijen, sleutels=SLEUTELS).als_dict() == {
        "ok": False,
        "aantal": 1,
        "kop": rijen[0].hash,
        "eersteFout": {
            "volgnummer": 3,
            "soort": "ontbrekende_rij",
            "toelichting": "volgnummer 2 ontbreekt: rij verwijderd of verplaatst",
        },
    }


@settings(max_examples=60, deadline=None)
@given(data=st.data(), lengte=st.integers(min_value=1, max_value=12))
def test_elke_wijziging_wordt_gevonden(data: st.DataObject, lengte: int) -> None:
    rijen = keten(lengte)
    assert verify_chain(rijen, sleutels=SLEUTELS).ok
    k = data.draw(st.integers(min_value=0, max_value=lengte - 1))
    sleutel = data.draw(st.sampled_from(sorted(rijen[k].velden)))
    nieuw = data.draw(st.text(max_size=8))
    velden = dict(rijen[k].velden)
    if velden[sleutel] == nieuw:
        return
    velden[sleutel] = nieuw
    rijen[k] = dataclasses.replace(rijen[k], velden=velden)
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert not uitkomst.ok
    assert uitkomst.eerste_fout is not None
    assert uitkomst.eerste_fout.volgnummer == k + 1
    assert uitkomst.aantal == k


# --- the key ----------------------------------------------------------------------------------


def test_herhashen_met_de_publieke_hashfunctie_wordt_gevonden() -> None:
    # An administrator with the database alone deletes row 3, renumbers and re-hashes the rest with SHA-256.
    rijen = keten(6)
    del rijen[2]
    herschreven: list[KetenRij] = []
    vorige = GENESIS_HASH
    for i, rij in enumerate(rijen, start=1):
        nieuw = hashlib.sha256(canonieke_json({"velden": rij.velden, "vorigeHash": vorige})).hexdigest()
        herschreven.append(dataclasses.replace(rij, volgnummer=i, vorige_hash=vorige, hash=nieuw))
        vorige = nieuw
    uitkomst = verify_chain(herschreven, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (1, KetenFoutSoort.GEWIJZIGD)
    assert uitkomst.aantal == 0


def test_herhashen_onder_een_eigen_sleutel_wordt_gevonden() -> None:
    # The same rewrite under a key of the attacker's own (and its key id) is not accepted either.
    eigen = Ketensleutels.uit([b"a" * 32])
    rijen = keten(4)
    vervalst = keten(4, eigen)
    uitkomst = verify_chain(vervalst, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (
        1,
        KetenFoutSoort.ONBEKENDE_SLEUTEL,
    )
    # Claiming the real key id for rows hashed under another key fails on the hash.
    onder_echt_id = [dataclasses.replace(r, sleutel_id=SLEUTELS.actief) for r in vervalst]
    uitkomst = verify_chain(onder_echt_id, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert uitkomst.eerste_fout.soort is KetenFoutSoort.GEWIJZIGD
    assert verify_chain(rijen, sleutels=SLEUTELS).ok


def test_rij_zonder_sleutel_id_wordt_niet_geaccepteerd() -> None:
    rijen = keten(3)
    rijen[1] = dataclasses.replace(rijen[1], sleutel_id=None)
    uitkomst = verify_chain(rijen, sleutels=SLEUTELS)
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (
        2,
        KetenFoutSoort.ONBEKENDE_SLEUTEL,
    )


def test_rotatie_van_de_ketensleutel() -> None:
    oud, nieuw = b"o" * 32, b"n" * 32
    voor = Ketensleutels.uit([oud])
    na = Ketensleutels.uit([nieuw, oud])
    assert na.actief == ketensleutel_id(nieuw) != ketensleutel_id(oud)
    rijen = keten(3, voor)
    rijen = keten(3, na, vanaf=rijen)
    assert [r.sleutel_id for r in rijen] == [voor.actief] * 3 + [na.actief] * 3
    assert verify_chain(rijen, sleutels=na).ok
    # Dropping the old key makes its rows unverifiable: old keys must stay configured.
    uitkomst = verify_chain(rijen, sleutels=Ketensleutels.uit([nieuw]))
    assert uitkomst.eerste_fout is not None
    assert (uitkomst.eerste_fout.volgnummer, uitkomst.eerste_fout.soort) == (
        1,
        KetenFoutSoort.ONBEKENDE_SLEUTEL,
    )


def test_te_korte_of_geen_ketensleutel() -> None:
    with pytest.raises(ValueError, match="minstens 32"):
        Ketensleutels.uit([b"kort"])
    with pytest.raises(ValueError, match="geen ketensleutel"):
        Ketensleutels.uit([])
