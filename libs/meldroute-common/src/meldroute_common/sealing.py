"""Sealing identifying data to the privacy gateway with HPKE (RFC 9180).

Intake holds only the gateway's public key: it can seal, never open. The gateway holds one or more
private keys (a keyring) and opens a blob with the key the blob names, so keys can rotate: seal to
the new key, keep the old one in the keyring until every blob sealed to it has been purged.

Suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode, single shot.

Envelope, version 1 (all lengths fixed, no parsing ambiguity)::

    magic "MRS" | version 0x01 | key id (8 bytes) | HPKE enc (32 bytes) | AEAD ciphertext + tag

The key id is the first 8 bytes of SHA-256 over the raw public key (16 hex characters as text).
The HPKE `info` binds the seal to the envelope header and to a `SealContext` (signal id, betrokkene
id, field group): a blob copied to another signal, betrokkene or field does not open. The plaintext
is padded to a multiple of 64 bytes before sealing so the blob's length says little about the
length of a name or an address.

Every failure to open raises `SealingError` and returns nothing; the message never contains
plaintext or key material.

What a betrokkene's identity blob holds is defined here once, for the side that seals (intake) and the
side that opens (the gateway): `Identiteitsgegevens`, sealed as compact JSON with sorted keys by
`encode_identiteit` under the field group `VELD_IDENTITEIT`, read back by `decode_identiteit`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke, serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from pydantic import ConfigDict, ValidationError

from meldroute_common.schemas import Schema
from meldroute_common.typen import Datum

__all__ = [
    "ENVELOPE_VERSION",
    "IDENTITEIT_VELDEN",
    "VELD_IDENTITEIT",
    "Identiteitsgegevens",
    "Keyring",
    "SealContext",
    "SealPublicKey",
    "SealingError",
    "UnknownKeyError",
    "decode_identiteit",
    "encode_identiteit",
    "generate_private_key",
    "key_id",
    "load_keyring",
    "load_private_key",
    "load_public_key",
    "open_sealed",
    "peek_key_id",
    "seal",
    "write_private_key",
    "write_public_key",
]

ENVELOPE_VERSION = 1
_MAGIC = b"MRS"
_KEY_ID_BYTES = 8
_ENC_BYTES = hpke.KEM.X25519.enc_length()
_TAG_BYTES = 16
_HEADER_BYTES = len(_MAGIC) + 1 + _KEY_ID_BYTES
_PAD_BLOCK = 64
_LENGTH_PREFIX = 4
_INFO_LABEL = b"meldroute/seal"
_VELD_PATTERN = re.compile(r"[a-z][a-z0-9_.-]{0,63}")

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)


class SealingError(Exception):
    """A blob could not be sealed or opened: wrong key, wrong context, tampered, malformed."""


class UnknownKeyError(SealingError):
    """The blob names a key id the keyring does not hold (rotated out, or not ours)."""


@dataclass(frozen=True, slots=True)
class SealContext:
    """What a sealed blob belongs to; the same context is needed to open it.

    `veld` names the field group (e.g. ``identiteit``, ``omschrijving``): lower-case ASCII letters,
    digits, ``_``, ``.`` and ``-``, at most 64 characters. `betrokkene_id` is None for data that
    belongs to the signal as a whole (its free text).
    """

    signaal_id: UUID
    betrokkene_id: UUID | None
    veld: str

    def __post_init__(self) -> None:
        if not _VELD_PATTERN.fullmatch(self.veld):
            raise ValueError("veld must be 1-64 characters of [a-z0-9_.-], starting with a letter")

    def info(self, *, header: bytes) -> bytes:
        """The HPKE info: envelope header and context, in an unambiguous, length-prefixed encoding."""
        betrokkene = b"\x00" + bytes(16) if self.betrokkene_id is None else b"\x01" + self.betrokkene_id.bytes
        veld = self.veld.encode("ascii")
        return (
            _INFO_LABEL
            + b"\x00"
            + header
            + self.signaal_id.bytes
            + betrokkene
            + len(veld).to_bytes(1, "big")
            + veld
        )


def _raw_public(public_key: x25519.X25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public_key: x25519.X25519PublicKey) -> str:
    """The key id of a public key: 16 hex characters of SHA-256 over its raw 32 bytes."""
    return hashlib.sha256(_raw_public(public_key)).digest()[:_KEY_ID_BYTES].hex()


@dataclass(frozen=True, slots=True)
class SealPublicKey:
    """A recipient's public key with its key id (computed, never configured by hand)."""

    key: x25519.X25519PublicKey
    key_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_id", key_id(self.key))

    @classmethod
    def from_pem(cls, pem: bytes) -> SealPublicKey:
        """Parse a SubjectPublicKeyInfo PEM holding an X25519 key."""
        try:
            key = serialization.load_pem_public_key(pem)
        except ValueError as exc:
            raise SealingError("not a PEM public key") from exc
        if not isinstance(key, x25519.X25519PublicKey):
            raise SealingError("public key is not X25519")
        return cls(key)

    def to_pem(self) -> bytes:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


class Keyring(Mapping[str, x25519.X25519PrivateKey]):
    """Private keys by key id; the gateway opens every blob with the key the blob names."""

    __slots__ = ("_keys",)

    def __init__(self, keys: Iterable[x25519.X25519PrivateKey]) -> None:
        self._keys: dict[str, x25519.X25519PrivateKey] = {}
        for key in keys:
            self._keys[key_id(key.public_key())] = key
        if not self._keys:
            raise SealingError("a keyring needs at least one private key")

    def __getitem__(self, kid: str) -> x25519.X25519PrivateKey:
        return self._keys[kid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        # Never the keys themselves.
        return f"Keyring(key_ids={sorted(self._keys)})"


def _pad(plaintext: bytes) -> bytes:
    framed = len(plaintext).to_bytes(_LENGTH_PREFIX, "big") + plaintext
    return framed + bytes(-len(framed) % _PAD_BLOCK)


def _unpad(padded: bytes) -> bytes:
    if len(padded) < _LENGTH_PREFIX or len(padded) % _PAD_BLOCK:
        raise SealingError("sealed blob has a malformed body")
    length = int.from_bytes(padded[:_LENGTH_PREFIX], "big")
    end = _LENGTH_PREFIX + length
    if end > len(padded) or any(padded[end:]):
        raise SealingError("sealed blob has a malformed body")
    return padded[_LENGTH_PREFIX:end]


def _header(kid: str) -> bytes:
    return _MAGIC + bytes([ENVELOPE_VERSION]) + bytes.fromhex(kid)


def seal(*, plaintext: bytes, ontvanger: SealPublicKey, context: SealContext) -> bytes:
    """Seal `plaintext` to `ontvanger` for `context`; only the matching private key and context open it."""
    if len(plaintext) >= 2 ** (8 * _LENGTH_PREFIX) - _PAD_BLOCK:
        raise SealingError("plaintext too large to seal")
    header = _header(ontvanger.key_id)
    return header + _SUITE.encrypt(_pad(plaintext), ontvanger.key, info=context.info(header=header))


def peek_key_id(blob: bytes) -> str:
    """The key id a blob was sealed to, without opening it (to find blobs that still need an old key)."""
    if len(blob) < _HEADER_BYTES + _ENC_BYTES + _TAG_BYTES or blob[: len(_MAGIC)] != _MAGIC:
        raise SealingError("not a sealed blob")
    if blob[len(_MAGIC)] != ENVELOPE_VERSION:
        raise SealingError("unsupported sealed blob version")
    return blob[len(_MAGIC) + 1 : _HEADER_BYTES].hex()


def open_sealed(*, blob: bytes, sleutels: Keyring, context: SealContext) -> bytes:
    """Open a blob sealed by `seal` with the keyring's key the blob names, for the same context.

    Raises `UnknownKeyError` when the keyring lacks that key and `SealingError` for anything else
    (wrong context, tampering, malformed blob); never returns partial plaintext.
    """
    kid = peek_key_id(blob)
    try:
        private_key = sleutels[kid]
    except KeyError:
        raise UnknownKeyError(f"no private key with key id {kid}") from None
    header = blob[:_HEADER_BYTES]
    try:
        padded = _SUITE.decrypt(blob[_HEADER_BYTES:], private_key, info=context.info(header=header))
    except InvalidTag:
        raise SealingError("sealed blob does not open: wrong key or context, or tampered") from None
    except ValueError as exc:  # malformed encapsulated key
        raise SealingError("sealed blob is malformed") from exc
    return _unpad(padded)


def generate_private_key() -> x25519.X25519PrivateKey:
    """A fresh X25519 private key for the gateway."""
    return x25519.X25519PrivateKey.generate()


def write_private_key(path: Path, key: x25519.X25519PrivateKey, *, overwrite: bool = False) -> None:
    """Write `key` as unencrypted PKCS#8 PEM, readable by the owner only (mode 0600).

    The file is created with mode 0600 from the start, so the key is never readable by others,
    not even briefly. Refuses to replace an existing file unless `overwrite` is set.
    """
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file being overwritten keeps its old mode otherwise
        os.write(fd, pem)
    finally:
        os.close(fd)


def write_public_key(path: Path, key: SealPublicKey) -> None:
    """Write the public key as SubjectPublicKeyInfo PEM (not secret)."""
    path.write_bytes(key.to_pem())


def load_private_key(path: Path) -> x25519.X25519PrivateKey:
    """Read an unencrypted PKCS#8 PEM X25519 private key."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError) as exc:
        raise SealingError(f"{path.name} is not an unencrypted PEM private key") from exc
    if not isinstance(key, x25519.X25519PrivateKey):
        raise SealingError(f"{path.name} is not an X25519 private key")
    return key


def load_public_key(path: Path) -> SealPublicKey:
    """Read a SubjectPublicKeyInfo PEM X25519 public key."""
    return SealPublicKey.from_pem(path.read_bytes())


def load_keyring(paths: Iterable[Path]) -> Keyring:
    """A keyring from private key files (current key and those still needed for older blobs)."""
    return Keyring(load_private_key(path) for path in paths)


# --- the identity of a betrokkene: what intake seals and the gateway opens --------------------------

#: The `SealContext.veld` of a betrokkene's identity blob.
VELD_IDENTITEIT: Final = "identiteit"


class Identiteitsgegevens(Schema):
    """The identifying fields of one betrokkene, as far as given at intake; absent fields are None.

    Opening drops any other key of a blob: only these fields are ever passed on.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    bsn: str | None = None
    naam: str | None = None
    geboortedatum: Datum | None = None
    geslacht: str | None = None
    nationaliteit: str | None = None
    adres: str | None = None
    telefoon: str | None = None

    def velden(self) -> dict[str, object]:
        """The fields that are present (not None), by name."""
        return self.model_dump(exclude_none=True)


#: The names of the identifying fields, in their defined order.
IDENTITEIT_VELDEN: Final = tuple(Identiteitsgegevens.model_fields)


def encode_identiteit(identiteit: Identiteitsgegevens) -> bytes | None:
    """The plaintext to seal: compact JSON of the present fields, keys sorted; None when none is present."""
    velden = identiteit.model_dump(mode="json", exclude_none=True)
    if not velden:
        return None
    return json.dumps(velden, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def decode_identiteit(plaintext: bytes) -> Identiteitsgegevens:
    """The identity in an opened blob; `SealingError` when it is not a JSON object of these fields."""
    try:
        return Identiteitsgegevens.model_validate_json(plaintext)
    except ValidationError:
        raise SealingError("sealed identity has an unexpected shape") from None
