"""Signed checkpoints of the verwerkingenlog: the head at a row, signed with Ed25519 (pure: no database).

A checkpoint is a C2SP *signed note* (https://c2sp.org/signed-note) whose text is::

    <herkomst>\\n
    <volgnummer>\\n
    <kop>\\n
    <tijdstip>\\n

``herkomst`` is the log's name (``GATEWAY_CHECKPOINT_HERKOMST``, also the key name), ``volgnummer`` the
number of rows the head covers, ``kop`` the keyed hash of that row (64 lowercase hex) and ``tijdstip``
when it was signed (UTC, ``YYYY-MM-DDTHH:MM:SSZ``). The shape follows the C2SP checkpoint (origin, size,
hash), with the chain's head hash in hex instead of a Merkle root in base64. The signature line is::

    — <herkomst> <base64(sleutel-id[4 bytes] || Ed25519-handtekening[64 bytes])>\\n

and the key id is ``SHA-256(herkomst || 0x0A || 0x01 || publieke sleutel)[:4]``, so the published
verifier key ``<herkomst>+<sleutelId>+<base64(0x01 || publieke sleutel)>`` works with any signed-note
implementation (e.g. Go's ``golang.org/x/mod/sumdb/note``).

Several keys may verify (rotation: retired public keys stay configured); exactly one signs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "HERKOMST_PATROON",
    "Checkpoint",
    "CheckpointFout",
    "Ondertekening",
    "ondertekende_tekst",
    "read_privesleutel",
    "read_publieke_sleutel",
    "write_privesleutel",
]

HERKOMST_PATROON: Final = r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,199}$"
"""A key name: no spaces, no ``+``, no newlines (C2SP signed note)."""

_ED25519: Final = b"\x01"
_HANDTEKENING_BYTES: Final = 64
_SLEUTEL_ID = re.compile(r"^[0-9a-f]{8}$")


def _tijd(tijdstip: datetime) -> str:
    return tijdstip.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ondertekende_tekst(*, herkomst: str, volgnummer: int, kop: str, tijdstip: datetime) -> bytes:
    """The exact bytes a checkpoint's signature covers (see the module docstring)."""
    return f"{herkomst}\n{volgnummer}\n{kop}\n{_tijd(tijdstip)}\n".encode()


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """The head after ``volgnummer`` rows, with the signature over :func:`ondertekende_tekst`."""

    volgnummer: int
    kop: str
    tijdstip: datetime
    sleutel_id: str
    handtekening: bytes

    def als_dict(self) -> dict[str, object]:
        """JSON form (as published and as written to the witness)."""
        return {
            "volgnummer": self.volgnummer,
            "kop": self.kop,
            "tijdstip": _tijd(self.tijdstip),
            "sleutelId": self.sleutel_id,
            "handtekening": base64.b64encode(self.handtekening).decode("ascii"),
        }

    @classmethod
    def uit_dict(cls, waarde: Mapping[str, object]) -> Checkpoint:
        """The checkpoint of a JSON object as :meth:`als_dict` gives it; ``ValueError`` when malformed."""
        volgnummer, kop, tijdstip = waarde.get("volgnummer"), waarde.get("kop"), waarde.get("tijdstip")
        sleutel_id, handtekening = waarde.get("sleutelId"), waarde.get("handtekening")
        if not isinstance(volgnummer, int) or isinstance(volgnummer, bool) or volgnummer < 1:
            raise ValueError("volgnummer moet een positief geheel getal zijn")
        if not isinstance(kop, str) or not re.fullmatch(r"[0-9a-f]{64}", kop):
            raise ValueError("kop moet 64 kleine hexadecimale tekens zijn")
        if not isinstance(tijdstip, str):
            raise ValueError("tijdstip ontbreekt")
        if not isinstance(sleutel_id, str) or not _SLEUTEL_ID.match(sleutel_id):
            raise ValueError("sleutelId moet 8 kleine hexadecimale tekens zijn")
        if not isinstance(handtekening, str):
            raise ValueError("handtekening ontbreekt")
        return cls(
            volgnummer=volgnummer,
            kop=kop,
            tijdstip=_lees_tijd(tijdstip),
            sleutel_id=sleutel_id,
            handtekening=read_handtekening(handtekening),
        )


def _lees_tijd(tekst: str) -> datetime:
    try:
        return datetime.strptime(tekst, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError("tijdstip moet de vorm JJJJ-MM-DDTUU:MM:SSZ hebben") from None


def read_handtekening(tekst: str) -> bytes:
    """A base64 Ed25519 signature (64 bytes); ``ValueError`` otherwise."""
    try:
        handtekening = base64.b64decode(tekst, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("handtekening is geen geldige base64") from None
    if len(handtekening) != _HANDTEKENING_BYTES:
        raise ValueError("handtekening moet 64 bytes zijn")
    return handtekening


class CheckpointFout(StrEnum):
    """Why a checkpoint does not verify."""

    ONBEKENDE_SLEUTEL = "onbekende_sleutel"
    HANDTEKENING_ONGELDIG = "handtekening_ongeldig"


def _ruwe_sleutel(publiek: Ed25519PublicKey) -> bytes:
    return publiek.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sleutel_hash(*, herkomst: str, publiek: Ed25519PublicKey) -> bytes:
    """The 4-byte C2SP key hash of an Ed25519 key under the name ``herkomst``."""
    return hashlib.sha256(herkomst.encode() + b"\n" + _ED25519 + _ruwe_sleutel(publiek)).digest()[:4]


@dataclass(frozen=True, slots=True)
class Ondertekening:
    """The checkpoint keys: one private key that signs, and every public key that verifies (by key id)."""

    herkomst: str
    actief: Ed25519PrivateKey
    actief_id: str
    publiek: Mapping[str, Ed25519PublicKey]

    @classmethod
    def uit(
        cls,
        *,
        herkomst: str,
        privesleutels: Iterable[Ed25519PrivateKey],
        publiek: Iterable[Ed25519PublicKey] = (),
    ) -> Ondertekening:
        """The first private key signs; the other private keys and ``publiek`` (retired keys) only verify."""
        if not re.match(HERKOMST_PATROON, herkomst):
            raise ValueError("de herkomst mag geen spaties, plustekens of regeleinden bevatten")
        prive = list(privesleutels)
        if not prive:
            raise ValueError("er is geen ondertekeningssleutel voor checkpoints ingesteld")
        sleutels: dict[str, Ed25519PublicKey] = {}
        for sleutel in [p.public_key() for p in prive] + list(publiek):
            sleutels.setdefault(sleutel_hash(herkomst=herkomst, publiek=sleutel).hex(), sleutel)
        actief_id = sleutel_hash(herkomst=herkomst, publiek=prive[0].public_key()).hex()
        return cls(herkomst=herkomst, actief=prive[0], actief_id=actief_id, publiek=sleutels)

    def onderteken(self, *, volgnummer: int, kop: str, tijdstip: datetime) -> Checkpoint:
        """A checkpoint of the head ``kop`` after ``volgnummer`` rows, signed now with the active key."""
        tijdstip = tijdstip.astimezone(UTC).replace(microsecond=0)
        tekst = ondertekende_tekst(herkomst=self.herkomst, volgnummer=volgnummer, kop=kop, tijdstip=tijdstip)
        return Checkpoint(
            volgnummer=volgnummer,
            kop=kop,
            tijdstip=tijdstip,
            sleutel_id=self.actief_id,
            handtekening=self.actief.sign(tekst),
        )

    def verify(self, checkpoint: Checkpoint) -> CheckpointFout | None:
        """None when the checkpoint's signature verifies under the key it names; otherwise why not."""
        sleutel = self.publiek.get(checkpoint.sleutel_id)
        if sleutel is None:
            return CheckpointFout.ONBEKENDE_SLEUTEL
        tekst = ondertekende_tekst(
            herkomst=self.herkomst,
            volgnummer=checkpoint.volgnummer,
            kop=checkpoint.kop,
            tijdstip=checkpoint.tijdstip,
        )
        try:
            sleutel.verify(checkpoint.handtekening, tekst)
        except InvalidSignature:
            return CheckpointFout.HANDTEKENING_ONGELDIG
        return None

    def notitie(self, checkpoint: Checkpoint) -> str:
        """The checkpoint as a C2SP signed note (text, blank line, signature line)."""
        tekst = ondertekende_tekst(
            herkomst=self.herkomst,
            volgnummer=checkpoint.volgnummer,
            kop=checkpoint.kop,
            tijdstip=checkpoint.tijdstip,
        ).decode()
        handtekening = base64.b64encode(
            bytes.fromhex(checkpoint.sleutel_id) + checkpoint.handtekening
        ).decode()
        return f"{tekst}\n\u2014 {self.herkomst} {handtekening}\n"

    def verificatiesleutel(self, sleutel_id: str) -> str:
        """The C2SP verifier key ``<herkomst>+<sleutelId>+<base64(0x01 || publieke sleutel)>``."""
        ruw = _ruwe_sleutel(self.publiek[sleutel_id])
        return f"{self.herkomst}+{sleutel_id}+{base64.b64encode(_ED25519 + ruw).decode()}"

    def publieke_sleutel(self, sleutel_id: str) -> str:
        """The raw 32-byte public key, base64."""
        return base64.b64encode(_ruwe_sleutel(self.publiek[sleutel_id])).decode()


def read_privesleutel(pad: Path) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file (PKCS#8, unencrypted)."""
    sleutel = serialization.load_pem_private_key(pad.read_bytes(), password=None)
    if not isinstance(sleutel, Ed25519PrivateKey):
        raise ValueError(f"{pad.name}: geen Ed25519-sleutel")
    return sleutel


def read_publieke_sleutel(pad: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file (SubjectPublicKeyInfo)."""
    sleutel = serialization.load_pem_public_key(pad.read_bytes())
    if not isinstance(sleutel, Ed25519PublicKey):
        raise ValueError(f"{pad.name}: geen Ed25519-sleutel")
    return sleutel


def write_privesleutel(sleutel: Ed25519PrivateKey) -> bytes:
    """PEM (PKCS#8) of a private key, for the development key file."""
    return sleutel.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
