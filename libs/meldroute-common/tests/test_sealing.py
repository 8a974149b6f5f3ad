from __future__ import annotations

import hashlib
import stat
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from hypothesis import given, settings
from hypothesis import strategies as st
from meldroute_common.sealing import (
    Keyring,
    SealContext,
    SealingError,
    SealPublicKey,
    UnknownKeyError,
    generate_private_key,
    key_id,
    load_keyring,
    load_private_key,
    load_public_key,
    open_sealed,
    peek_key_id,
    seal,
    write_private_key,
    write_public_key,
)

SIGNAAL = uuid.UUID("0b6f2a52-3c1e-4d3a-9a57-1f6f3b2e9c11")
BETROKKENE = uuid.UUID("5d1c8e0a-7b2f-4e55-8a0d-2c9e6b1f4a33")
IDENTITEIT = SealContext(signaal_id=SIGNAAL, betrokkene_id=BETROKKENE, veld="identiteit")
PLAINTEXT = b'{"bsn": "111222333", "naam": "Jan Jansen"}'


@pytest.fixture
def private_key() -> x25519.X25519PrivateKey:
    return generate_private_key()


def test_round_trip(private_key: x25519.X25519PrivateKey) -> None:
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=IDENTITEIT)
    assert PLAINTEXT not in blob
    assert open_sealed(blob=blob, sleutels=Keyring([private_key]), context=IDENTITEIT) == PLAINTEXT


@settings(max_examples=50, deadline=None)
@given(plaintext=st.binary(max_size=2000), veld=st.from_regex(r"[a-z][a-z0-9_.-]{0,63}", fullmatch=True))
def test_round_trip_any_plaintext(plaintext: bytes, veld: str) -> None:
    key = generate_private_key()
    context = SealContext(signaal_id=uuid.uuid4(), betrokkene_id=None, veld=veld)
    blob = seal(plaintext=plaintext, ontvanger=SealPublicKey(key.public_key()), context=context)
    assert open_sealed(blob=blob, sleutels=Keyring([key]), context=context) == plaintext


def test_two_seals_of_the_same_plaintext_differ(private_key: x25519.X25519PrivateKey) -> None:
    ontvanger = SealPublicKey(private_key.public_key())
    first = seal(plaintext=PLAINTEXT, ontvanger=ontvanger, context=IDENTITEIT)
    second = seal(plaintext=PLAINTEXT, ontvanger=ontvanger, context=IDENTITEIT)
    assert first != second


def test_length_is_padded(private_key: x25519.X25519PrivateKey) -> None:
    ontvanger = SealPublicKey(private_key.public_key())
    lengths = {len(seal(plaintext=b"x" * n, ontvanger=ontvanger, context=IDENTITEIT)) for n in range(1, 50)}
    assert len(lengths) == 1


@pytest.mark.parametrize(
    "other",
    [
        SealContext(signaal_id=uuid.uuid4(), betrokkene_id=BETROKKENE, veld="identiteit"),
        SealContext(signaal_id=SIGNAAL, betrokkene_id=uuid.uuid4(), veld="identiteit"),
        SealContext(signaal_id=SIGNAAL, betrokkene_id=None, veld="identiteit"),
        SealContext(signaal_id=SIGNAAL, betrokkene_id=BETROKKENE, veld="omschrijving"),
        # The nil UUID must not be confused with "no betrokkene".
        SealContext(signaal_id=SIGNAAL, betrokkene_id=uuid.UUID(int=0), veld="identiteit"),
    ],
    ids=["other-signal", "other-betrokkene", "no-betrokkene", "other-field", "nil-betrokkene"],
)
def test_wrong_context_fails(private_key: x25519.X25519PrivateKey, other: SealContext) -> None:
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=IDENTITEIT)
    with pytest.raises(SealingError):
        open_sealed(blob=blob, sleutels=Keyring([private_key]), context=other)


def test_none_betrokkene_differs_from_nil_uuid(private_key: x25519.X25519PrivateKey) -> None:
    zonder = SealContext(signaal_id=SIGNAAL, betrokkene_id=None, veld="omschrijving")
    nil = SealContext(signaal_id=SIGNAAL, betrokkene_id=uuid.UUID(int=0), veld="omschrijving")
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=zonder)
    assert open_sealed(blob=blob, sleutels=Keyring([private_key]), context=zonder) == PLAINTEXT
    with pytest.raises(SealingError):
        open_sealed(blob=blob, sleutels=Keyring([private_key]), context=nil)


def test_wrong_key_with_forged_key_id_fails(private_key: x25519.X25519PrivateKey) -> None:
    # A keyring that maps the blob's key id to a different private key must still fail.
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=IDENTITEIT)
    other = generate_private_key()

    class Forged(Keyring):
        def __getitem__(self, kid: str) -> x25519.X25519PrivateKey:
            return other

    with pytest.raises(SealingError) as info:
        open_sealed(blob=blob, sleutels=Forged([other]), context=IDENTITEIT)
    assert not isinstance(info.value, UnknownKeyError)


def test_unknown_key_id_fails(private_key: x25519.X25519PrivateKey) -> None:
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=IDENTITEIT)
    with pytest.raises(UnknownKeyError):
        open_sealed(blob=blob, sleutels=Keyring([generate_private_key()]), context=IDENTITEIT)


def test_tampering_anywhere_fails(private_key: x25519.X25519PrivateKey) -> None:
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=IDENTITEIT)
    keyring = Keyring([private_key])
    for index in range(len(blob)):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(SealingError):
            open_sealed(blob=bytes(tampered), sleutels=keyring, context=IDENTITEIT)


@pytest.mark.parametrize("cut", [0, 1, 4, 12, 44, 60, -1])
def test_truncated_or_extended_blob_fails(private_key: x25519.X25519PrivateKey, cut: int) -> None:
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=IDENTITEIT)
    keyring = Keyring([private_key])
    with pytest.raises(SealingError):
        open_sealed(blob=blob[:cut], sleutels=keyring, context=IDENTITEIT)
    with pytest.raises(SealingError):
        open_sealed(blob=blob + b"\x00", sleutels=keyring, context=IDENTITEIT)


def test_other_version_fails(private_key: x25519.X25519PrivateKey) -> None:
    blob = seal(plaintext=PLAINTEXT, ontvanger=SealPublicKey(private_key.public_key()), context=IDENTITEIT)
    with pytest.raises(SealingError, match="version"):
        open_sealed(blob=blob[:3] + b"\x02" + blob[4:], sleutels=Keyring([private_key]), context=IDENTITEIT)


def test_garbage_fails(private_key: x25519.X25519PrivateKey) -> None:
    kid = bytes.fromhex(key_id(private_key.public_key()))
    for blob in [b"", b"MRS", b"MRS\x01" + kid + bytes(48), b"MRS\x01" + kid + b"\xff" * 200]:
        with pytest.raises(SealingError):
            open_sealed(blob=blob, sleutels=Keyring([private_key]), context=IDENTITEIT)


def test_rotation_keyring_opens_old_and_new() -> None:
    old, new = generate_private_key(), generate_private_key()
    old_blob = seal(plaintext=b"oud", ontvanger=SealPublicKey(old.public_key()), context=IDENTITEIT)
    new_blob = seal(plaintext=b"nieuw", ontvanger=SealPublicKey(new.public_key()), context=IDENTITEIT)
    keyring = Keyring([new, old])
    assert set(keyring) == {key_id(old.public_key()), key_id(new.public_key())}
    assert peek_key_id(old_blob) == key_id(old.public_key())
    assert peek_key_id(new_blob) == key_id(new.public_key())
    assert open_sealed(blob=old_blob, sleutels=keyring, context=IDENTITEIT) == b"oud"
    assert open_sealed(blob=new_blob, sleutels=keyring, context=IDENTITEIT) == b"nieuw"
    # Once the old key is retired, its blobs no longer open.
    with pytest.raises(UnknownKeyError):
        open_sealed(blob=old_blob, sleutels=Keyring([new]), context=IDENTITEIT)


def test_key_id_is_sha256_prefix_of_raw_public_key(private_key: x25519.X25519PrivateKey) -> None:
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    expected = hashlib.sha256(raw).hexdigest()[:16]
    assert key_id(private_key.public_key()) == expected
    assert SealPublicKey(private_key.public_key()).key_id == expected
    assert key_id(generate_private_key().public_key()) != expected


def test_keyring_repr_hides_keys(private_key: x25519.X25519PrivateKey) -> None:
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    text = repr(Keyring([private_key]))
    assert key_id(private_key.public_key()) in text
    assert raw.hex() not in text


def test_empty_keyring_is_refused() -> None:
    with pytest.raises(SealingError):
        Keyring([])


@pytest.mark.parametrize("veld", ["", "Identiteit", "1abc", "a b", "a" * 65, "identiteït"])
def test_invalid_field_name_is_refused(veld: str) -> None:
    with pytest.raises(ValueError, match="veld"):
        SealContext(signaal_id=SIGNAAL, betrokkene_id=None, veld=veld)


def test_pem_files(tmp_path: Path, private_key: x25519.X25519PrivateKey) -> None:
    private_path = tmp_path / "gateway-hpke.pem"
    public_path = tmp_path / "gateway-hpke-public.pem"
    write_private_key(private_path, private_key)
    write_public_key(public_path, SealPublicKey(private_key.public_key()))

    assert stat.S_IMODE(private_path.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" not in public_path.read_bytes()

    ontvanger = load_public_key(public_path)
    assert ontvanger.key_id == key_id(private_key.public_key())
    blob = seal(plaintext=PLAINTEXT, ontvanger=ontvanger, context=IDENTITEIT)
    loaded = load_private_key(private_path)
    assert open_sealed(blob=blob, sleutels=Keyring([loaded]), context=IDENTITEIT) == PLAINTEXT
    assert open_sealed(blob=blob, sleutels=load_keyring([private_path]), context=IDENTITEIT) == PLAINTEXT


def test_private_key_file_is_not_overwritten_by_default(
    tmp_path: Path, private_key: x25519.X25519PrivateKey
) -> None:
    path = tmp_path / "key.pem"
    write_private_key(path, private_key)
    with pytest.raises(FileExistsError):
        write_private_key(path, generate_private_key())
    assert key_id(load_private_key(path).public_key()) == key_id(private_key.public_key())


def test_overwrite_tightens_mode(tmp_path: Path, private_key: x25519.X25519PrivateKey) -> None:
    path = tmp_path / "key.pem"
    path.write_text("oud")
    path.chmod(0o644)
    write_private_key(path, private_key, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert key_id(load_private_key(path).public_key()) == key_id(private_key.public_key())


def test_loading_the_wrong_kind_of_key_fails(tmp_path: Path) -> None:
    ed = ed25519.Ed25519PrivateKey.generate()
    private_path = tmp_path / "ed.pem"
    private_path.write_bytes(
        ed.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public_path = tmp_path / "ed-public.pem"
    public_path.write_bytes(
        ed.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("geen sleutel")
    with pytest.raises(SealingError):
        load_private_key(private_path)
    with pytest.raises(SealingError):
        load_public_key(public_path)
    with pytest.raises(SealingError):
        load_private_key(garbage)
    with pytest.raises(SealingError):
        load_public_key(garbage)


# --- the identity blob: one definition for the side that seals and the side that opens ---------------


def test_identity_is_compact_sorted_json_of_the_present_fields_only() -> None:
    from datetime import date

    from meldroute_common.sealing import IDENTITEIT_VELDEN, Identiteitsgegevens, encode_identiteit

    assert IDENTITEIT_VELDEN == (
        "bsn",
        "naam",
        "geboortedatum",
        "geslacht",
        "nationaliteit",
        "adres",
        "telefoon",
    )
    identiteit = Identiteitsgegevens(naam="Jan Jansen", geboortedatum=date(2001, 5, 4), bsn="111222333")
    assert (
        encode_identiteit(identiteit)
        == b'{"bsn":"111222333","geboortedatum":"2001-05-04","naam":"Jan Jansen"}'
    )
    assert encode_identiteit(Identiteitsgegevens()) is None


def test_opening_keeps_only_the_defined_fields_and_refuses_another_shape() -> None:
    from datetime import date

    from meldroute_common.sealing import SealingError, decode_identiteit

    identiteit = decode_identiteit(b'{"naam":"J. Jansen","geboortedatum":"2001-05-04","wachtwoord":"geheim"}')
    assert identiteit.velden() == {"naam": "J. Jansen", "geboortedatum": date(2001, 5, 4)}
    for ruw in (b"[]", b"niet json", b'{"naam": 17}', b'{"geboortedatum": 989000000}', b'"J. Jansen"'):
        with pytest.raises(SealingError):
            decode_identiteit(ruw)
