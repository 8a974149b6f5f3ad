"""The hash chain that makes the verwerkingenlog tamper-evident (pure: no database, no clock).

Each row stores its fields, the hash of the row before it and its own hash::

    hash = SHA-256( canoniek({"velden": velden, "vorigeHash": vorige_hash}) )     (lowercase hex)

where the first row's ``vorigeHash`` is :data:`GENESIS_HASH` and ``canoniek`` is :func:`canonieke_json`:
JSON with sorted keys, no whitespace, UTF-8 (not ASCII-escaped), datetimes as ISO 8601 in UTC with
microseconds and ``Z``. Anyone can recompute it with a JSON library and SHA-256.

:func:`verifieer` walks the rows in ``volgnummer`` order and reports the first problem: a changed
row (its hash no longer matches), a deleted row (a gap in ``volgnummer``), and rows moved, swapped
or replaced (``vorigeHash`` no longer points at the row before). Removing rows from the *end* of
the log leaves a valid shorter chain; detecting that needs the head hash (``Verificatie.kop``)
recorded elsewhere and compared.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum, StrEnum
from typing import Final
from uuid import UUID

__all__ = [
    "GENESIS_HASH",
    "KetenFout",
    "KetenFoutSoort",
    "KetenRij",
    "Verificatie",
    "Verwerking",
    "canonieke_json",
    "nieuwe_rij",
    "normaliseer",
    "rij_hash",
    "verifieer",
]

GENESIS_HASH: Final = "0" * 64
"""The ``vorigeHash`` of the first row of the log."""

_HASH = re.compile(r"^[0-9a-f]{64}$")


def _normaliseer(waarde: object) -> object:
    # bool before int (bool is an int); StrEnum before str would not matter, its value is the string.
    if waarde is None or isinstance(waarde, bool | int | str):
        return waarde.value if isinstance(waarde, Enum) else waarde
    if isinstance(waarde, float):
        if not math.isfinite(waarde):
            raise ValueError("NaN en oneindig zijn niet toegestaan in een logrij")
        return waarde
    if isinstance(waarde, datetime):
        if waarde.utcoffset() is None:
            raise ValueError("tijdstippen in een logrij moeten een tijdzone hebben")
        return waarde.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(waarde, date):
        return waarde.isoformat()
    if isinstance(waarde, UUID):
        return str(waarde)
    if isinstance(waarde, Enum):
        return _normaliseer(waarde.value)
    if isinstance(waarde, Mapping):
        resultaat: dict[str, object] = {}
        for sleutel, item in waarde.items():
            # json.dumps would turn 1 into "1" and let {1: x} and {"1": x} hash alike.
            if not isinstance(sleutel, str):
                raise TypeError(f"sleutels in een logrij moeten tekst zijn, niet {type(sleutel).__name__}")
            resultaat[sleutel] = _normaliseer(item)
        return resultaat
    if isinstance(waarde, list | tuple):
        return [_normaliseer(item) for item in waarde]
    if isinstance(waarde, set | frozenset):
        # Sets have no order of their own; sort by their canonical text so the hash is stable.
        items = [_normaliseer(item) for item in waarde]
        return sorted(items, key=_tekst)
    raise TypeError(f"{type(waarde).__name__} kan niet in een logrij worden opgenomen")


def _tekst(waarde: object) -> str:
    return json.dumps(waarde, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def normaliseer(velden: Mapping[str, object]) -> dict[str, object]:
    """The JSON-ready form of a row's fields, to store; hashing it again gives the same hash."""
    genormaliseerd = _normaliseer(velden)
    assert isinstance(genormaliseerd, dict)  # a Mapping always normalises to a dict
    return genormaliseerd


def canonieke_json(velden: Mapping[str, object]) -> bytes:
    """The canonical encoding of a row's fields (see the module docstring).

    Accepts None, bool, int, finite float, str, aware datetime, date, UUID, enums, mappings with
    string keys, lists, tuples and sets (sorted). Anything else raises ``TypeError``; a naive
    datetime or NaN raises ``ValueError``.
    """
    return _tekst(_normaliseer(velden)).encode("utf-8")


def _controleer_hash(waarde: str, naam: str) -> None:
    if not _HASH.match(waarde):
        raise ValueError(f"{naam} moet 64 kleine hexadecimale tekens zijn")


def rij_hash(*, velden: Mapping[str, object], vorige_hash: str) -> str:
    """SHA-256 (lowercase hex) of a row's fields chained to the previous row's hash."""
    _controleer_hash(vorige_hash, "vorige_hash")
    return hashlib.sha256(canonieke_json({"velden": velden, "vorigeHash": vorige_hash})).hexdigest()


@dataclass(frozen=True, slots=True)
class KetenRij:
    """A stored row of the log: sequence number (from 1), fields, previous hash and own hash."""

    volgnummer: int
    velden: Mapping[str, object]
    vorige_hash: str
    hash: str


def nieuwe_rij(*, vorige: KetenRij | None, velden: Mapping[str, object]) -> KetenRij:
    """The row that follows ``vorige`` (``None`` for the first row of the log)."""
    volgnummer = 1 if vorige is None else vorige.volgnummer + 1
    vorige_hash = GENESIS_HASH if vorige is None else vorige.hash
    return KetenRij(
        volgnummer=volgnummer,
        velden=velden,
        vorige_hash=vorige_hash,
        hash=rij_hash(velden=velden, vorige_hash=vorige_hash),
    )


class KetenFoutSoort(StrEnum):
    """What is wrong at the first failing row."""

    ONTBREKENDE_RIJ = "ontbrekende_rij"
    """``volgnummer`` skips ahead: a row was deleted (or rows were moved)."""
    VOLGORDE = "volgorde"
    """``volgnummer`` goes back or repeats: rows were reordered or duplicated."""
    KETEN_VERBROKEN = "keten_verbroken"
    """``vorigeHash`` is not the previous row's hash: a row was swapped, replaced or rewritten before it."""
    GEWIJZIGD = "gewijzigd"
    """The stored hash does not match the row's contents: the row was changed."""


@dataclass(frozen=True, slots=True)
class KetenFout:
    """The first problem found, at the row with ``volgnummer`` (as stored)."""

    volgnummer: int
    soort: KetenFoutSoort
    toelichting: str


@dataclass(frozen=True, slots=True)
class Verificatie:
    """Outcome of :func:`verifieer`.

    ``aantal`` counts the rows verified before the first problem (all rows when ``ok``), and ``kop``
    is the hash of the last of them (:data:`GENESIS_HASH` for an empty log).
    """

    ok: bool
    aantal: int
    kop: str
    eerste_fout: KetenFout | None = None

    def als_dict(self) -> dict[str, object]:
        """JSON-ready form with lowerCamelCase keys."""
        fout = self.eerste_fout
        return {
            "ok": self.ok,
            "aantal": self.aantal,
            "kop": self.kop,
            "eersteFout": None
            if fout is None
            else {"volgnummer": fout.volgnummer, "soort": fout.soort.value, "toelichting": fout.toelichting},
        }


def verifieer(rijen: Iterable[KetenRij]) -> Verificatie:
    """Verify a whole log, given in ``volgnummer`` order starting at the first row.

    Streams: rows are read once and at most two are held, so a large log can be passed as a generator.
    """
    verwacht = 1
    kop = GENESIS_HASH
    aantal = 0
    iterator = iter(rijen)
    rij = next(iterator, None)
    while rij is not None:
        volgende = next(iterator, None)
        fout = _controleer(rij, volgende, verwacht=verwacht, kop=kop)
        if fout is not None:
            return Verificatie(ok=False, aantal=aantal, kop=kop, eerste_fout=fout)
        kop = rij.hash
        verwacht += 1
        aantal += 1
        rij = volgende
    return Verificatie(ok=True, aantal=aantal, kop=kop)


def _controleer(rij: KetenRij, volgende: KetenRij | None, *, verwacht: int, kop: str) -> KetenFout | None:
    nr = rij.volgnummer
    if nr > verwacht:
        if volgende is not None and volgende.volgnummer == verwacht:
            return KetenFout(
                nr, KetenFoutSoort.VOLGORDE, f"volgnummer {nr} staat voor {verwacht}: rijen verwisseld"
            )
        ontbrekend = str(verwacht) if nr == verwacht + 1 else f"{verwacht} t/m {nr - 1}"
        return KetenFout(
            nr,
            KetenFoutSoort.ONTBREKENDE_RIJ,
            f"volgnummer {ontbrekend} ontbreekt: rij verwijderd of verplaatst",
        )
    if nr < verwacht:
        return KetenFout(
            nr,
            KetenFoutSoort.VOLGORDE,
            f"volgnummer {nr} staat op de plaats van {verwacht}: volgorde gewijzigd of rij dubbel",
        )
    if rij.vorige_hash != kop:
        vorige = "het begin van de keten" if verwacht == 1 else f"rij {verwacht - 1}"
        return KetenFout(
            nr,
            KetenFoutSoort.KETEN_VERBROKEN,
            f"vorigeHash verwijst niet naar {vorige}: rij vervangen, verwisseld of een eerdere rij herschreven",
        )
    try:
        berekend = rij_hash(velden=rij.velden, vorige_hash=rij.vorige_hash)
    except (TypeError, ValueError) as fout:
        return KetenFout(nr, KetenFoutSoort.GEWIJZIGD, f"velden zijn niet te coderen: {fout}")
    if berekend != rij.hash:
        return KetenFout(nr, KetenFoutSoort.GEWIJZIGD, "hash klopt niet met de inhoud: rij gewijzigd")
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Verwerking:
    """The fields of one verwerkingenlog row, after VNG Verwerkingenlogging.

    ``velden()`` gives the mapping that is hashed and stored (lowerCamelCase keys).
    """

    actie: str
    """What happened, e.g. ``verstrekking``, ``evaluatie``, ``identiteitsverzoek``, ``ontzegeling``."""
    verwerkingsactiviteit: str
    """The processing activity in the register of processing activities."""
    doel: str
    """Purpose id from the covenant policy."""
    grondslag: str
    """Legal basis reference as the policy states it."""
    afnemer: str | None
    """Partner id that received the data; None when nothing left the gateway."""
    betrokkene: str | None
    """Pseudonym of the person concerned (never a BSN or name); None when the row concerns no one."""
    vertrouwelijkheid: str
    """Confidentiality of the log row itself."""
    bewaartermijn: str
    """Retention of the log row, as an ISO 8601 duration, e.g. ``P20Y``."""
    tijdstip: datetime
    """When the processing happened (aware)."""
    request_id: str
    casus_id: str | None = None
    detail: Mapping[str, object] = field(default_factory=dict)
    """Structured detail, e.g. the categories disclosed and the rule that allowed them. No personal data."""

    def velden(self) -> dict[str, object]:
        """The row's fields for :func:`rij_hash` and storage."""
        return {
            "actie": self.actie,
            "verwerkingsactiviteit": self.verwerkingsactiviteit,
            "doel": self.doel,
            "grondslag": self.grondslag,
            "afnemer": self.afnemer,
            "betrokkene": self.betrokkene,
            "vertrouwelijkheid": self.vertrouwelijkheid,
            "bewaartermijn": self.bewaartermijn,
            "tijdstip": self.tijdstip,
            "requestId": self.request_id,
            "casusId": self.casus_id,
            "detail": dict(self.detail),
        }
