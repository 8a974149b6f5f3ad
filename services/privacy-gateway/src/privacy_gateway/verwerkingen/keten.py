"""The keyed hash chain that makes the verwerkingenlog tamper-evident (pure: no database, no clock).

Each row stores its fields, the id of the chain key it was written under, the hash of the row before
it and its own hash::

    hash = HMAC-SHA-256( ketensleutel[sleutelId],
                         canoniek({"sleutelId": sleutelId, "velden": velden, "vorigeHash": vorige_hash}) )

(lowercase hex), where the first row's ``vorigeHash`` is :data:`GENESIS_HASH` and ``canoniek`` is
:func:`canonieke_json`: JSON with sorted keys, no whitespace, UTF-8 (not ASCII-escaped), datetimes as
ISO 8601 in UTC with microseconds and ``Z``. The chain key lives in a file outside the database, so
whoever holds only the database cannot compute a valid hash for a changed, inserted or renumbered row;
whoever holds the key (the gateway, and an auditor given a copy) can recompute every hash. The key id
(:func:`ketensleutel_id`) is part of the hashed input, so a row cannot be moved to another key. Old
keys stay configured after a rotation so rows written under them still verify.

:func:`verify_chain` walks the rows in ``volgnummer`` order and reports the first problem: a changed
row (its hash no longer matches), a deleted row (a gap in ``volgnummer``), and rows moved, swapped
or replaced (``vorigeHash`` no longer points at the row before). Removing rows from the *end* of
the log leaves a valid shorter chain; detecting that needs the head hash (``Verificatie.kop``)
recorded elsewhere and compared.
"""

from __future__ import annotations

import hashlib
import hmac
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
    "Ketensleutels",
    "Verificatie",
    "Verwerking",
    "canonieke_json",
    "ketensleutel_id",
    "nieuwe_rij",
    "normalise",
    "rij_hash",
    "verify_chain",
]

GENESIS_HASH: Final = "0" * 64
"""The ``vorigeHash`` of the first row of the log."""

_HASH = re.compile(r"^[0-9a-f]{64}$")
MIN_KETENSLEUTEL_BYTES: Final = 32


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


def normalise(velden: Mapping[str, object]) -> dict[str, object]:
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


def ketensleutel_id(sleutel: bytes) -> str:
    """The id of a chain key: 16 hex characters of a domain-separated SHA-256 of it (reveals nothing usable)."""
    return hashlib.sha256(b"meldroute-verwerkingenlog-ketensleutel\n" + sleutel).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Ketensleutels:
    """The chain keys by id: ``actief`` writes new rows, every key verifies rows written under it."""

    actief: str
    sleutels: Mapping[str, bytes]

    @classmethod
    def uit(cls, sleutels: Iterable[bytes]) -> Ketensleutels:
        """The key set of ``sleutels``; the first is the active one (current first, then older keys)."""
        bijId: dict[str, bytes] = {}
        for sleutel in sleutels:
            if len(sleutel) < MIN_KETENSLEUTEL_BYTES:
                raise ValueError(f"een ketensleutel moet minstens {MIN_KETENSLEUTEL_BYTES} bytes zijn")
            bijId.setdefault(ketensleutel_id(sleutel), sleutel)
        if not bijId:
            raise ValueError("er is geen ketensleutel ingesteld")
        return cls(actief=next(iter(bijId)), sleutels=bijId)


def rij_hash(*, velden: Mapping[str, object], vorige_hash: str, sleutel: bytes, sleutel_id: str) -> str:
    """HMAC-SHA-256 (lowercase hex) under the chain key of a row's fields, key id and previous hash."""
    _controleer_hash(vorige_hash, "vorige_hash")
    invoer = canonieke_json({"sleutelId": sleutel_id, "velden": velden, "vorigeHash": vorige_hash})
    return hmac.new(sleutel, invoer, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class KetenRij:
    """A stored row of the log: sequence number (from 1), fields, previous hash, own hash and chain key id."""

    volgnummer: int
    velden: Mapping[str, object]
    vorige_hash: str
    hash: str
    sleutel_id: str | None = None


def nieuwe_rij(*, vorige: KetenRij | None, velden: Mapping[str, object], sleutels: Ketensleutels) -> KetenRij:
    """The row that follows ``vorige`` (``None`` for the first row of the log), under the active key."""
    volgnummer = 1 if vorige is None else vorige.volgnummer + 1
    vorige_hash = GENESIS_HASH if vorige is None else vorige.hash
    sleutel_id = sleutels.actief
    return KetenRij(
        volgnummer=volgnummer,
        velden=velden,
        vorige_hash=vorige_hash,
        hash=rij_hash(
            velden=velden,
            vorige_hash=vorige_hash,
            sleutel=sleutels.sleutels[sleutel_id],
            sleutel_id=sleutel_id,
        ),
        sleutel_id=sleutel_id,
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
    """The stored hash does not match the row's contents under its key: the row was changed or re-hashed."""
    ONBEKENDE_SLEUTEL = "onbekende_sleutel"
    """The row names a chain key (or a checkpoint a signing key) that is not configured."""
    HANDTEKENING_ONGELDIG = "handtekening_ongeldig"
    """A checkpoint's signature does not verify: it was changed or signed with another key."""
    BEWAARDE_KOP_ONTBREEKT = "bewaarde_kop_ontbreekt"
    """A head kept outside the database (by an auditor or the witness) is not in the current chain."""


@dataclass(frozen=True, slots=True)
class KetenFout:
    """The first problem found, at the row with ``volgnummer`` (as stored)."""

    volgnummer: int
    soort: KetenFoutSoort
    toelichting: str


@dataclass(frozen=True, slots=True)
class Verificatie:
    """Outcome of :func:`verify_chain`.

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


def verify_chain(rijen: Iterable[KetenRij], *, sleutels: Ketensleutels) -> Verificatie:
    """Verify a whole log, given in ``volgnummer`` order starting at the first row, under ``sleutels``.

    Streams: rows are read once and at most two are held, so a large log can be passed as a generator.
    """
    verwacht = 1
    kop = GENESIS_HASH
    aantal = 0
    iterator = iter(rijen)
    rij = next(iterator, None)
    while rij is not None:
        volgende = next(iterator, None)
        fout = _controleer(rij, volgende, verwacht=verwacht, kop=kop, sleutels=sleutels)
        if fout is not None:
            return Verificatie(ok=False, aantal=aantal, kop=kop, eerste_fout=fout)
        kop = rij.hash
        verwacht += 1
        aantal += 1
        rij = volgende
    return Verificatie(ok=True, aantal=aantal, kop=kop)


def _controleer(
    rij: KetenRij, volgende: KetenRij | None, *, verwacht: int, kop: str, sleutels: Ketensleutels
) -> KetenFout | None:
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
    sleutel = None if rij.sleutel_id is None else sleutels.sleutels.get(rij.sleutel_id)
    if rij.sleutel_id is None or sleutel is None:
        return KetenFout(
            nr,
            KetenFoutSoort.ONBEKENDE_SLEUTEL,
            f"rij is geschreven onder ketensleutel {rij.sleutel_id or '(geen)'}, die niet is ingesteld",
        )
    try:
        berekend = rij_hash(
            velden=rij.velden, vorige_hash=rij.vorige_hash, sleutel=sleutel, sleutel_id=rij.sleutel_id
        )
    except (TypeError, ValueError) as fout:
        return KetenFout(nr, KetenFoutSoort.GEWIJZIGD, f"velden zijn niet te coderen: {fout}")
    if berekend != rij.hash:
        return KetenFout(
            nr, KetenFoutSoort.GEWIJZIGD, "hash klopt niet met de inhoud onder de ketensleutel: rij gewijzigd"
        )
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
