"""The keyed, signed and witnessed verwerkingenlog, attacked the way a database administrator would.

Each attack works on the real database (SQLite or PostgreSQL) behind a running gateway: rows are read and
rewritten with SQL, with the public hash function or with keys of the attacker's own, and the gateway's
verification is asked about a head the auditor kept from ``GET /v1/verwerkingen/checkpoints``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness, clear_tables, running
from privacy_gateway.main import create_app
from privacy_gateway.verwerkingen.checkpoints import Ondertekening, read_privesleutel, write_privesleutel
from privacy_gateway.verwerkingen.getuige import Getuige
from privacy_gateway.verwerkingen.keten import KetenRij, Ketensleutels, Verwerking, canonieke_json, nieuwe_rij
from privacy_gateway.verwerkingen.models import VerwerkingenCheckpoint, VerwerkingenKop, VerwerkingRij
from privacy_gateway.verwerkingen.service import (
    Logboek,
    ensure_head,
    read_head_ahead,
    rij_velden,
    verify_log,
    write_verwerkingen,
)
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

RIEC = "riec-oost-nederland"

Start = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def fg(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='fg')}"}


def riec(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie=RIEC)}"}


class Sleutels:
    """Key files of one test: chain keys (hex) and Ed25519 checkpoint keys (PEM), by name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def keten(self, naam: str) -> Path:
        pad = self.folder / f"keten-{naam}.key"
        if not pad.exists():
            pad.write_text(secrets.token_bytes(32).hex())
        return pad

    def checkpoint(self, naam: str) -> Path:
        pad = self.folder / f"checkpoint-{naam}.pem"
        if not pad.exists():
            pad.write_bytes(write_privesleutel(Ed25519PrivateKey.generate()))
        return pad


@pytest.fixture
def sleutels(tmp_path: Path) -> Sleutels:
    return Sleutels(tmp_path / "sleutels")


@pytest.fixture
async def start(gateway_harness: ServiceHarness, intake: Any) -> AsyncIterator[Start]:
    """``async with start(**settings)``: the gateway; the database survives restarts until the test ends."""

    @asynccontextmanager
    async def starten(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(
            gateway_harness.settings(**overrides), intake_transport=httpx.MockTransport(intake.handler)
        )
        async with running(app) as client:
            yield client

    yield starten
    await clear_tables(gateway_harness.database_url, gateway_harness.metadata)


@asynccontextmanager
async def database(harness: ServiceHarness) -> AsyncIterator[AsyncSession]:
    """A session straight on the gateway's database, as its administrator has it; commits at the end."""
    engine = create_async_engine(harness.database_url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            yield session
    finally:
        await engine.dispose()


def instellingen(
    sleutels: Sleutels, *, keten: list[str], checkpoint: list[str], **meer: Any
) -> dict[str, Any]:
    return {
        "keten_sleutel_bestanden": [sleutels.keten(n) for n in keten],
        "checkpoint_sleutel_bestanden": [sleutels.checkpoint(n) for n in checkpoint],
        "verwerkingen_checkpoint_interval": 2,
        "verwerkingen_checkpoint_seconden": 0,
        **meer,
    }


async def vul(client: httpx.AsyncClient, issuer: DevIssuer, intake: Any, aantal: int) -> None:
    casus = intake.casus(partners=[RIEC])
    # A partner learns its reference from its list; the gateway maps it back to intake's case.
    lijst = await client.get("/v1/casussen", params={"pageSize": 100}, headers=riec(issuer))
    ref = intake.referentie(casus, partner=RIEC)
    assert ref in lijst.text, lijst.text
    for _ in range(aantal):
        response = await client.get(
            f"/v1/casussen/{ref}", params={"doel": "casusoverleg"}, headers=riec(issuer)
        )
        assert response.status_code == 200, response.text


async def checkpoints(client: httpx.AsyncClient, issuer: DevIssuer) -> list[dict[str, Any]]:
    gezien: list[dict[str, Any]] = []
    params: dict[str, Any] = {"pageSize": 2}
    while True:
        response = await client.get("/v1/verwerkingen/checkpoints", params=params, headers=fg(issuer))
        assert response.status_code == 200, response.text
        gezien += response.json()["checkpoints"]
        if response.json()["volgende"] is None:
            return gezien
        params["cursor"] = response.json()["volgende"]


async def verify_chain(
    client: httpx.AsyncClient, issuer: DevIssuer, bewaard: dict[str, Any] | None = None
) -> dict[str, Any]:
    params = {k: v for k, v in (bewaard or {}).items() if k != "notitie"}
    response = await client.get("/v1/verwerkingen/verificatie", params=params, headers=fg(issuer))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def offline_geldig(checkpoint: dict[str, Any], sleutels: dict[str, Any]) -> bool:
    """What an auditor does with the published keys alone: check the C2SP signed note."""
    herkomst = sleutels["herkomst"]
    tekst, _, handtekeningregel = checkpoint["notitie"].rpartition("\n\n")
    assert tekst + "\n" == (
        f"{herkomst}\n{checkpoint['volgnummer']}\n{checkpoint['kop']}\n{checkpoint['tijdstip']}\n"
    )
    streep, naam, blob = handtekeningregel.rstrip("\n").split(" ")
    assert (streep, naam) == ("\u2014", herkomst)
    ruw = base64.b64decode(blob)
    sleutel_id, handtekening = ruw[:4].hex(), ruw[4:]
    assert sleutel_id == checkpoint["sleutelId"] and handtekening == base64.b64decode(
        checkpoint["handtekening"]
    )
    bekend = {s["sleutelId"]: s for s in sleutels["sleutels"]}
    if sleutel_id not in bekend:
        return False
    publiek = base64.b64decode(bekend[sleutel_id]["publiekeSleutel"])
    # The key id is the C2SP key hash: SHA-256(name || 0x0A || 0x01 || key)[:4].
    assert hashlib.sha256(herkomst.encode() + b"\n\x01" + publiek).digest()[:4].hex() == sleutel_id
    vkey = base64.b64encode(b"\x01" + publiek).decode()
    assert bekend[sleutel_id]["verificatiesleutel"] == f"{herkomst}+{sleutel_id}+{vkey}"
    try:
        Ed25519PublicKey.from_public_bytes(publiek).verify(handtekening, (tekst + "\n").encode())
    except Exception:
        return False
    return True


# --- the normal case ------------------------------------------------------------------------------


async def test_checkpoints_are_signed_published_and_verifiable_offline(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, gateway_harness: ServiceHarness
) -> None:
    async with start(**instellingen(sleutels, keten=["a"], checkpoint=["a"])) as client:
        await vul(client, issuer, intake, 5)
        gepubliceerd = await checkpoints(client, issuer)
        assert [c["volgnummer"] for c in gepubliceerd] == [2, 4]
        publiek = (await client.get("/v1/verwerkingen/sleutels", headers=fg(issuer))).json()
        assert [s["actief"] for s in publiek["sleutels"]] == [True]
        assert all(offline_geldig(c, publiek) for c in gepubliceerd)
        rijen = (await client.get("/v1/verwerkingen", headers=fg(issuer))).json()["verwerkingen"]
        assert gepubliceerd[1]["kop"] == rijen[3]["hash"]
        uitkomst = await verify_chain(client, issuer, gepubliceerd[0])
        assert uitkomst["ok"] is True and uitkomst["aantal"] == 5
        assert uitkomst["checkpoints"] == 2 and uitkomst["bewaardeKop"] is True
        # Scope: a partner may not read the checkpoints or the keys.
        for pad in ("/v1/verwerkingen/checkpoints", "/v1/verwerkingen/sleutels"):
            assert (await client.get(pad, headers=riec(issuer))).status_code == 403
    async with database(gateway_harness) as db:
        rij = (await db.scalars(sa.select(VerwerkingRij).where(VerwerkingRij.volgnummer == 1))).one()
        assert rij.sleutel_id is not None and len(rij.sleutel_id) == 16
        # The stored hash is not the public SHA-256 of the row: the key is needed to compute it.
        openbaar = hashlib.sha256(
            canonieke_json({"velden": rij_velden(rij), "vorigeHash": "0" * 64})
        ).hexdigest()
        assert rij.hash != openbaar


async def test_rotation_of_both_keys_still_verifies(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any
) -> None:
    async with start(**instellingen(sleutels, keten=["oud"], checkpoint=["oud"])) as client:
        await vul(client, issuer, intake, 4)
        bewaard = (await checkpoints(client, issuer))[0]
    # Rotation: the new keys come first, the old ones stay to verify what was written under them.
    async with start(**instellingen(sleutels, keten=["nieuw", "oud"], checkpoint=["nieuw", "oud"])) as client:
        await vul(client, issuer, intake, 4)
        gepubliceerd = await checkpoints(client, issuer)
        publiek = (await client.get("/v1/verwerkingen/sleutels", headers=fg(issuer))).json()
        assert [s["actief"] for s in publiek["sleutels"]] == [True, False]
        ids = [c["sleutelId"] for c in gepubliceerd]
        assert ids[:2] == [bewaard["sleutelId"]] * 2 and len(set(ids)) == 2
        assert all(offline_geldig(c, publiek) for c in gepubliceerd)
        uitkomst = await verify_chain(client, issuer, bewaard)
        assert uitkomst["ok"] is True, uitkomst
        assert (uitkomst["aantal"], uitkomst["checkpoints"], uitkomst["bewaardeKop"]) == (8, 4, True)
        rijen = (await client.get("/v1/verwerkingen", headers=fg(issuer))).json()["verwerkingen"]
        assert rijen[0]["hash"] != rijen[-1]["hash"]
    # A retired signing key whose private part is gone verifies as a public key only.
    publiek_pad = sleutels.folder / "checkpoint-oud.pub.pem"
    oud = serialization.load_pem_private_key(sleutels.checkpoint("oud").read_bytes(), password=None)
    publiek_pad.write_bytes(
        oud.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    async with start(
        **instellingen(
            sleutels,
            keten=["nieuw", "oud"],
            checkpoint=["nieuw"],
            checkpoint_publieke_sleutel_bestanden=[publiek_pad],
        )
    ) as client:
        uitkomst = await verify_chain(client, issuer, bewaard)
        assert uitkomst["ok"] is True and uitkomst["bewaardeKop"] is True
    # Forgetting the old chain key makes its rows unverifiable: it must stay configured.
    async with start(**instellingen(sleutels, keten=["nieuw"], checkpoint=["nieuw", "oud"])) as client:
        uitkomst = await verify_chain(client, issuer, bewaard)
        assert uitkomst["ok"] is False and uitkomst["eersteFout"]["soort"] == "onbekende_sleutel"


async def test_a_kept_head_must_be_given_whole_and_well_formed(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any
) -> None:
    async with start(**instellingen(sleutels, keten=["a"], checkpoint=["a"])) as client:
        await vul(client, issuer, intake, 2)
        bewaard = (await checkpoints(client, issuer))[0]
        zonder = {k: v for k, v in bewaard.items() if k not in {"handtekening", "notitie"}}
        response = await client.get("/v1/verwerkingen/verificatie", params=zonder, headers=fg(issuer))
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [p["name"] for p in response.json()["invalidParams"]] == ["handtekening"]
        for veld, waarde in [
            ("kop", "ABC"),
            ("handtekening", "!!"),
            ("sleutelId", "xyz"),
            ("volgnummer", "0"),
        ]:
            params = {**{k: v for k, v in bewaard.items() if k != "notitie"}, veld: waarde}
            response = await client.get("/v1/verwerkingen/verificatie", params=params, headers=fg(issuer))
            assert response.status_code == 400, (veld, response.text)
        # A kept head whose hash was changed, with its old signature: the signature no longer matches.
        vervalst = {**bewaard, "kop": "0" * 64}
        uitkomst = await verify_chain(client, issuer, vervalst)
        assert uitkomst["ok"] is False and uitkomst["bewaardeKop"] is False
        assert uitkomst["eersteFout"]["soort"] == "handtekening_ongeldig"


async def test_a_quiet_log_gets_checkpoints_by_time(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any
) -> None:
    instelling = instellingen(
        sleutels,
        keten=["a"],
        checkpoint=["a"],
        verwerkingen_checkpoint_interval=100,
        verwerkingen_checkpoint_seconden=1,
    )
    async with start(**instelling) as client:
        await vul(client, issuer, intake, 2)
        # The first append is signed at once; the second comes within the second and is not.
        assert [c["volgnummer"] for c in await checkpoints(client, issuer)] == [1]
        await asyncio.sleep(1.1)
        await vul(client, issuer, intake, 1)
        assert [c["volgnummer"] for c in await checkpoints(client, issuer)] == [1, 3]
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is True and uitkomst["checkpoints"] == 2


# --- attacks with the database alone --------------------------------------------------------------


async def herschrijf_openbaar(db: AsyncSession, *, verwijder: int) -> None:
    """Delete row ``verwijder``, renumber, re-hash with the public SHA-256, rewrite head and checkpoints."""
    await db.execute(sa.delete(VerwerkingRij).where(VerwerkingRij.volgnummer == verwijder))
    rijen = list((await db.scalars(sa.select(VerwerkingRij).order_by(VerwerkingRij.volgnummer))).all())
    velden = [rij_velden(r) for r in rijen]
    await db.execute(sa.delete(VerwerkingRij))
    await db.execute(sa.delete(VerwerkingenCheckpoint))
    vorige = "0" * 64
    for nummer, (rij, v) in enumerate(zip(rijen, velden, strict=True), start=1):
        nieuw = hashlib.sha256(
            canonieke_json({"sleutelId": rij.sleutel_id, "velden": v, "vorigeHash": vorige})
        )
        kolommen = {c.name: getattr(rij, c.key) for c in sa.inspect(VerwerkingRij).columns}
        kolommen.update(volgnummer=nummer, vorige_hash=vorige, hash=nieuw.hexdigest())
        await db.execute(sa.insert(VerwerkingRij).values(**kolommen))
        vorige = nieuw.hexdigest()
        if nummer % 2 == 0:
            # Keep an old signature: the attacker has no signing key.
            await db.execute(
                sa.insert(VerwerkingenCheckpoint).values(
                    volgnummer=nummer,
                    hash=vorige,
                    tijdstip=rij.tijdstip,
                    sleutel_id="00000000",
                    handtekening=base64.b64encode(bytes(64)).decode(),
                )
            )
    await db.execute(sa.update(VerwerkingenKop).values(volgnummer=len(rijen), hash=vorige))


async def test_consistent_rewrite_with_the_database_alone_is_detected(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, gateway_harness: ServiceHarness
) -> None:
    async with start(**instellingen(sleutels, keten=["a"], checkpoint=["a"])) as client:
        await vul(client, issuer, intake, 6)
        bewaard = (await checkpoints(client, issuer))[-1]
        assert (await verify_chain(client, issuer, bewaard))["ok"] is True
        async with database(gateway_harness) as db:
            await herschrijf_openbaar(db, verwijder=3)
        uitkomst = await verify_chain(client, issuer, bewaard)
        assert uitkomst["ok"] is False and uitkomst["bewaardeKop"] is False
        # Rows 1 and 2 were re-hashed too: the first keyed hash that no longer matches is row 1.
        assert (uitkomst["eersteFout"]["volgnummer"], uitkomst["eersteFout"]["soort"]) == (1, "gewijzigd")
        assert uitkomst["aantal"] == 0 and uitkomst["checkpoints"] == 0
        # Even without a kept head the rewrite shows.
        assert (await verify_chain(client, issuer))["ok"] is False


async def test_rewrite_with_a_signing_key_of_the_attackers_own_is_detected(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, gateway_harness: ServiceHarness
) -> None:
    async with start(**instellingen(sleutels, keten=["a"], checkpoint=["a"])) as client:
        await vul(client, issuer, intake, 4)
        bewaard = (await checkpoints(client, issuer))[-1]
        # Re-sign every checkpoint with a new key, correctly formatted, under the gateway's own name.
        eigen = Ondertekening.uit(
            herkomst=(await client.get("/v1/verwerkingen/sleutels", headers=fg(issuer))).json()["herkomst"],
            privesleutels=[Ed25519PrivateKey.generate()],
        )
        async with database(gateway_harness) as db:
            for rij in (await db.scalars(sa.select(VerwerkingenCheckpoint))).all():
                nieuw = eigen.onderteken(volgnummer=rij.volgnummer, kop=rij.hash, tijdstip=rij.tijdstip)
                rij.sleutel_id = nieuw.sleutel_id
                rij.handtekening = base64.b64encode(nieuw.handtekening).decode()
        uitkomst = await verify_chain(client, issuer, bewaard)
        assert uitkomst["ok"] is False
        assert (uitkomst["eersteFout"]["volgnummer"], uitkomst["eersteFout"]["soort"]) == (
            2,
            "onbekende_sleutel",
        )
        # A head signed by that key, given as if kept, is refused as well.
        moment = datetime.strptime(bewaard["tijdstip"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        vervalst = eigen.onderteken(volgnummer=4, kop=bewaard["kop"], tijdstip=moment)
        gegeven = {**vervalst.als_dict()}
        uitkomst = await verify_chain(client, issuer, gegeven)
        assert uitkomst["bewaardeKop"] is False


async def test_replacing_the_configured_signing_key_is_detected_by_the_kept_head(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, gateway_harness: ServiceHarness
) -> None:
    async with start(**instellingen(sleutels, keten=["a"], checkpoint=["echt"])) as client:
        await vul(client, issuer, intake, 4)
        bewaard = (await checkpoints(client, issuer))[-1]
    # The administrator (with database and configuration) swaps in a key of their own and re-signs.
    async with start(**instellingen(sleutels, keten=["a"], checkpoint=["dader"])) as client:
        eigen = Ondertekening.uit(
            herkomst=(await client.get("/v1/verwerkingen/sleutels", headers=fg(issuer))).json()["herkomst"],
            privesleutels=[read_privesleutel(sleutels.checkpoint("dader"))],
        )
        async with database(gateway_harness) as db:
            for rij in (await db.scalars(sa.select(VerwerkingenCheckpoint))).all():
                nieuw = eigen.onderteken(volgnummer=rij.volgnummer, kop=rij.hash, tijdstip=rij.tijdstip)
                rij.sleutel_id, rij.handtekening = (
                    nieuw.sleutel_id,
                    base64.b64encode(nieuw.handtekening).decode(),
                )
        # Without the kept head everything looks fine: the checkpoints verify under the configured key.
        assert (await verify_chain(client, issuer))["ok"] is True
        # The auditor's head, signed under the real key, no longer verifies: the key was replaced.
        uitkomst = await verify_chain(client, issuer, bewaard)
        assert uitkomst["ok"] is False and uitkomst["bewaardeKop"] is False
        assert uitkomst["eersteFout"]["soort"] == "onbekende_sleutel"
        # And the auditor, holding the old public keys, sees the new checkpoints are not signed by them.
        assert (await checkpoints(client, issuer))[-1]["sleutelId"] != bewaard["sleutelId"]


async def test_truncation_past_a_kept_head_is_detected(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, gateway_harness: ServiceHarness
) -> None:
    async with start(**instellingen(sleutels, keten=["a"], checkpoint=["a"])) as client:
        await vul(client, issuer, intake, 6)
        bewaard = (await checkpoints(client, issuer))[-1]
        assert bewaard["volgnummer"] == 6
        async with database(gateway_harness) as db:
            rij4 = (
                await db.scalars(sa.select(VerwerkingRij.hash).where(VerwerkingRij.volgnummer == 4))
            ).one()
            await db.execute(sa.delete(VerwerkingRij).where(VerwerkingRij.volgnummer > 4))
            await db.execute(sa.delete(VerwerkingenCheckpoint).where(VerwerkingenCheckpoint.volgnummer > 4))
            await db.execute(sa.update(VerwerkingenKop).values(volgnummer=4, hash=rij4))
        # On its own the shortened chain is consistent: the gap that kept heads and the witness close.
        assert (await verify_chain(client, issuer))["ok"] is True
        uitkomst = await verify_chain(client, issuer, bewaard)
        assert uitkomst["ok"] is False and uitkomst["bewaardeKop"] is False
        assert uitkomst["eersteFout"] == {
            "volgnummer": 5,
            "soort": "bewaarde_kop_ontbreekt",
            "toelichting": "bewaarde kop bij rij 6 ligt voorbij het einde (rij 4): rijen aan het eind verwijderd",
        }
        assert uitkomst["aantal"] == 4


# --- the witness ----------------------------------------------------------------------------------


def getuige_regels(pad: Path) -> list[dict[str, Any]]:
    if pad.is_dir():
        return [json.loads(p.read_text()) for p in sorted(pad.iterdir())]
    return [json.loads(regel) for regel in pad.read_text().splitlines()]


@pytest.mark.parametrize("vorm", ["bestand", "map"])
async def test_the_witness_gets_every_checkpoint(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, tmp_path: Path, vorm: str
) -> None:
    getuige = tmp_path / ("getuige.jsonl" if vorm == "bestand" else "getuige")
    if vorm == "map":
        getuige.mkdir()
    async with start(
        **instellingen(sleutels, keten=["a"], checkpoint=["a"], checkpoint_witness=getuige)
    ) as client:
        await vul(client, issuer, intake, 7)
        gepubliceerd = await checkpoints(client, issuer)
        assert getuige_regels(getuige) == [
            {k: v for k, v in c.items() if k != "notitie"} for c in gepubliceerd
        ]
        assert len(gepubliceerd) == 3
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is True and uitkomst["getuige"] == {"aantal": 3, "ontbrekend": 0}


async def test_a_failed_transaction_writes_nothing_to_the_witness(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, tmp_path: Path, sql: Any
) -> None:
    getuige = tmp_path / "getuige.jsonl"
    pg = gateway_is_pg()
    blokkeer = (
        [
            "CREATE FUNCTION cp_dicht() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'dicht'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER cp_dicht BEFORE INSERT ON verwerkingen_checkpoints FOR EACH ROW EXECUTE FUNCTION cp_dicht()",
        ]
        if pg
        else [
            "CREATE TRIGGER cp_dicht BEFORE INSERT ON verwerkingen_checkpoints BEGIN SELECT RAISE(ABORT, 'dicht'); END"
        ]
    )
    herstel = (
        ["DROP TRIGGER cp_dicht ON verwerkingen_checkpoints", "DROP FUNCTION cp_dicht()"]
        if pg
        else ["DROP TRIGGER cp_dicht"]
    )
    async with start(
        **instellingen(sleutels, keten=["a"], checkpoint=["a"], checkpoint_witness=getuige)
    ) as client:
        await vul(client, issuer, intake, 1)
        await sql(*blokkeer)
        try:
            casus = intake.casus(partners=[RIEC])
            response = await client.get(
                f"/v1/casussen/{intake.referentie(casus, partner=RIEC)}",
                params={"doel": "casusoverleg"},
                headers=riec(issuer),
            )
            assert response.status_code == 503
        finally:
            await sql(*herstel)
        assert not getuige.exists()
        await vul(client, issuer, intake, 1)
        assert [r["volgnummer"] for r in getuige_regels(getuige)] == [2]
        assert (await verify_chain(client, issuer))["ok"] is True


def gateway_is_pg() -> bool:
    return os.environ.get("MELDROUTE_TEST_DB") == "postgresql"


async def test_tampering_with_the_witness_is_detected(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, tmp_path: Path
) -> None:
    getuige = tmp_path / "getuige.jsonl"
    async with start(
        **instellingen(sleutels, keten=["a"], checkpoint=["a"], checkpoint_witness=getuige)
    ) as client:
        await vul(client, issuer, intake, 6)
        origineel = getuige.read_text()
        regels = origineel.splitlines()
        # Change the hash of one entry: its signature no longer matches.
        tweede = json.loads(regels[1])
        regels[1] = json.dumps({**tweede, "kop": "f" * 64})
        getuige.write_text("\n".join(regels) + "\n")
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is False
        assert (uitkomst["eersteFout"]["volgnummer"], uitkomst["eersteFout"]["soort"]) == (
            4,
            "handtekening_ongeldig",
        )
        assert "getuige" in uitkomst["eersteFout"]["toelichting"]
        # An unreadable line.
        getuige.write_text(origineel + "geen json\n")
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is False and uitkomst["eersteFout"]["soort"] == "bewaarde_kop_ontbreekt"
        assert (
            uitkomst["eersteFout"]["volgnummer"] == 0 and "regel 4" in uitkomst["eersteFout"]["toelichting"]
        )
        # A line removed from the witness is counted, not mistaken for tampering with the log.
        getuige.write_text("\n".join(origineel.splitlines()[:2]) + "\n")
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is True and uitkomst["getuige"] == {"aantal": 2, "ontbrekend": 1}
        getuige.write_text(origineel)
        assert (await verify_chain(client, issuer))["ok"] is True


async def test_the_witness_bounds_a_rewrite_by_someone_with_both_database_and_keys(
    start: Start,
    sleutels: Sleutels,
    issuer: DevIssuer,
    intake: Any,
    gateway_harness: ServiceHarness,
    tmp_path: Path,
) -> None:
    getuige = tmp_path / "getuige"
    getuige.mkdir()
    instelling = instellingen(sleutels, keten=["a"], checkpoint=["a"], checkpoint_witness=getuige)
    async with start(**instelling) as client:
        await vul(client, issuer, intake, 6)
        publiek = (await client.get("/v1/verwerkingen/sleutels", headers=fg(issuer))).json()
    # Rewrite from row 3 on with the real chain key and signing key: drop row 3, re-chain, re-sign.
    ketensleutels = Ketensleutels.uit([bytes.fromhex(sleutels.keten("a").read_text())])
    ondertekening = Ondertekening.uit(
        herkomst=publiek["herkomst"], privesleutels=[read_privesleutel(sleutels.checkpoint("a"))]
    )
    async with database(gateway_harness) as db:
        rijen = list((await db.scalars(sa.select(VerwerkingRij).order_by(VerwerkingRij.volgnummer))).all())
        behouden = [r for r in rijen if r.volgnummer != 3]
        kolommen = [{c.name: getattr(r, c.key) for c in sa.inspect(VerwerkingRij).columns} for r in behouden]
        velden = [rij_velden(r) for r in behouden]
        await db.execute(sa.delete(VerwerkingRij))
        await db.execute(sa.delete(VerwerkingenCheckpoint))
        vorige: KetenRij | None = None
        for nummer, (k, v) in enumerate(zip(kolommen, velden, strict=True), start=1):
            vorige = nieuwe_rij(vorige=vorige, velden=v, sleutels=ketensleutels)
            k.update(
                volgnummer=nummer,
                vorige_hash=vorige.vorige_hash,
                hash=vorige.hash,
                sleutel_id=vorige.sleutel_id,
            )
            await db.execute(sa.insert(VerwerkingRij).values(**k))
            if nummer % 2 == 0:
                cp = ondertekening.onderteken(volgnummer=nummer, kop=vorige.hash, tijdstip=k["tijdstip"])
                await db.execute(
                    sa.insert(VerwerkingenCheckpoint).values(
                        volgnummer=nummer,
                        hash=cp.kop,
                        tijdstip=cp.tijdstip,
                        sleutel_id=cp.sleutel_id,
                        handtekening=base64.b64encode(cp.handtekening).decode(),
                    )
                )
        assert vorige is not None
        await db.execute(sa.update(VerwerkingenKop).values(volgnummer=vorige.volgnummer, hash=vorige.hash))
    # Without the witness the rewrite is complete: with both keys and the database, nothing inside shows it.
    async with start(**{**instelling, "checkpoint_witness": None}) as client:
        assert (await verify_chain(client, issuer))["ok"] is True
    # The witness still holds the heads from before: row 4 now has another hash.
    async with start(**instelling) as client:
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is False
        assert uitkomst["eersteFout"]["soort"] == "bewaarde_kop_ontbreekt"
        assert uitkomst["eersteFout"]["volgnummer"] == 4
        assert "getuige" in uitkomst["eersteFout"]["toelichting"]


# --- upgrading an unkeyed log ---------------------------------------------------------------------


async def maak_oude_keten(db: AsyncSession) -> None:
    """Turn the log into one as revision 0001 wrote it: plain SHA-256, no key ids, unsigned checkpoints."""
    rijen = list((await db.scalars(sa.select(VerwerkingRij).order_by(VerwerkingRij.volgnummer))).all())
    vorige = "0" * 64
    for rij in rijen:
        nieuw = hashlib.sha256(canonieke_json({"velden": rij_velden(rij), "vorigeHash": vorige})).hexdigest()
        rij.vorige_hash, rij.hash, rij.sleutel_id = vorige, nieuw, None
        vorige = nieuw
    await db.execute(sa.update(VerwerkingenCheckpoint).values(sleutel_id=None, handtekening=None))
    await db.execute(sa.update(VerwerkingenKop).values(hash=vorige))


async def test_an_unkeyed_log_is_rechained_only_when_the_operator_asks(
    start: Start,
    sleutels: Sleutels,
    issuer: DevIssuer,
    intake: Any,
    gateway_harness: ServiceHarness,
    tmp_path: Path,
) -> None:
    getuige = tmp_path / "getuige.jsonl"
    instelling = instellingen(
        sleutels,
        keten=["a"],
        checkpoint=["a"],
        verwerkingen_checkpoint_interval=100,
        checkpoint_witness=getuige,
    )
    async with start(**instelling) as client:
        await vul(client, issuer, intake, 3)
    async with database(gateway_harness) as db:
        await maak_oude_keten(db)
    # Not asked: the old rows stay as they are and do not verify under a key.
    async with start(**instelling) as client:
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is False and uitkomst["eersteFout"]["soort"] == "onbekende_sleutel"
    async with start(**instelling, verwerkingen_herketenen=True) as client:
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is True and uitkomst["aantal"] == 3 and uitkomst["checkpoints"] == 1
        assert [c["volgnummer"] for c in await checkpoints(client, issuer)] == [3]
        assert [r["volgnummer"] for r in getuige_regels(getuige)] == [3]
    # Once the keyed chain has started (the witness has a head), rows made to look old are not re-hashed,
    # even when asked: the rewrite stays visible.
    async with database(gateway_harness) as db:
        await maak_oude_keten(db)
    async with start(**instelling, verwerkingen_herketenen=True) as client:
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is False and uitkomst["eersteFout"]["soort"] == "onbekende_sleutel"


async def test_a_broken_unkeyed_log_is_not_rechained(
    start: Start, sleutels: Sleutels, issuer: DevIssuer, intake: Any, gateway_harness: ServiceHarness
) -> None:
    instelling = instellingen(sleutels, keten=["a"], checkpoint=["a"], verwerkingen_checkpoint_interval=100)
    async with start(**instelling) as client:
        await vul(client, issuer, intake, 3)
    async with database(gateway_harness) as db:
        await maak_oude_keten(db)
        await db.execute(sa.update(VerwerkingRij).where(VerwerkingRij.volgnummer == 2).values(afnemer="kmar"))
    async with start(**instelling, verwerkingen_herketenen=True) as client:
        uitkomst = await verify_chain(client, issuer)
        assert uitkomst["ok"] is False and uitkomst["eersteFout"]["soort"] == "onbekende_sleutel"
        assert await checkpoints(client, issuer) == []


async def test_checkpoints_reach_the_witness_only_after_commit(
    sleutels: Sleutels, gateway_harness: ServiceHarness, tmp_path: Path
) -> None:
    """A checkpoint written in a transaction that rolls back never reaches the witness; one that commits does."""
    getuige_pad = tmp_path / "getuige.jsonl"
    logboek = Logboek(
        sleutels=Ketensleutels.uit([bytes.fromhex(sleutels.keten("a").read_text())]),
        ondertekening=Ondertekening.uit(
            herkomst="example.org/log", privesleutels=[read_privesleutel(sleutels.checkpoint("a"))]
        ),
        getuige=Getuige(getuige_pad),
        checkpoint_interval=1,
    )
    rij = Verwerking(
        actie="weigering", verwerkingsactiviteit="test", doel="casusoverleg", grondslag="-", afnemer=None,
        betrokkene=None, vertrouwelijkheid="vertrouwelijk", bewaartermijn="P20Y", tijdstip=datetime.now(UTC),
        request_id="r",
    )  # fmt: skip
    engine = create_async_engine(gateway_harness.database_url)
    try:
        async with AsyncSession(engine) as session:
            async with session.begin():
                await ensure_head(session=session)
            transactie = await session.begin()
            await write_verwerkingen(session=session, verwerkingen=[rij], logboek=logboek)
            assert not getuige_pad.exists(), "written before the commit"
            await transactie.rollback()
            assert not getuige_pad.exists()
            async with session.begin():
                geschreven = await write_verwerkingen(
                    session=session, verwerkingen=[rij, rij], logboek=logboek
                )
            assert [r.volgnummer for r in geschreven] == [1, 2]
            assert [r["volgnummer"] for r in getuige_regels(getuige_pad)] == [1, 2]
            # A later transaction in the same session does not write the earlier checkpoints again.
            async with session.begin():
                await write_verwerkingen(session=session, verwerkingen=[rij], logboek=logboek)
            assert [r["volgnummer"] for r in getuige_regels(getuige_pad)] == [1, 2, 3]
    finally:
        await engine.dispose()
        await clear_tables(gateway_harness.database_url, gateway_harness.metadata)


async def test_an_append_after_a_stale_read_ahead_follows_the_real_head(
    sleutels: Sleutels, gateway_harness: ServiceHarness
) -> None:
    """A head read ahead that another append overtook is not used: the append locks and follows the real head.
    A fresh one is used, with its last checkpoint's time (no second checkpoint within the hour)."""
    logboek = Logboek(
        sleutels=Ketensleutels.uit([bytes.fromhex(sleutels.keten("a").read_text())]),
        ondertekening=Ondertekening.uit(
            herkomst="example.org/log", privesleutels=[read_privesleutel(sleutels.checkpoint("a"))]
        ),
        checkpoint_interval=100,
        checkpoint_seconden=3600,
    )
    rij = Verwerking(
        actie="verstrekking", verwerkingsactiviteit="test", doel="casusoverleg", grondslag="-", afnemer="riec",
        betrokkene=None, vertrouwelijkheid="vertrouwelijk", bewaartermijn="P20Y", tijdstip=datetime.now(UTC),
        request_id="r",
    )  # fmt: skip
    engine = create_async_engine(gateway_harness.database_url)
    try:
        async with AsyncSession(engine) as lezer, AsyncSession(engine) as ander:
            async with lezer.begin():
                await ensure_head(session=lezer)
            async with lezer.begin():
                vooruit = await read_head_ahead(session=lezer)
                assert vooruit is not None and vooruit.volgnummer == 0 and vooruit.laatste_checkpoint is None
                async with ander.begin():  # another append comes in between
                    await write_verwerkingen(session=ander, verwerkingen=[rij], logboek=logboek)
                geschreven = await write_verwerkingen(
                    session=lezer, verwerkingen=[rij, rij], logboek=logboek, kop=vooruit
                )
            assert [r.volgnummer for r in geschreven] == [2, 3]
            async with lezer.begin():
                vooruit = await read_head_ahead(session=lezer)
                assert vooruit is not None and vooruit.volgnummer == 3
                assert vooruit.laatste_checkpoint is not None
                geschreven = await write_verwerkingen(
                    session=lezer, verwerkingen=[rij], logboek=logboek, kop=vooruit
                )
            assert [r.volgnummer for r in geschreven] == [4]
            async with lezer.begin():
                verslag = await verify_log(session=lezer, logboek=logboek)
                getekend = await lezer.scalar(sa.select(sa.func.count()).select_from(VerwerkingenCheckpoint))
            assert verslag.ok and verslag.uitkomst.aantal == 4
            assert (
                getekend == 1
            )  # the first append signed (no checkpoint yet); the others were within the hour
    finally:
        await engine.dispose()
        await clear_tables(gateway_harness.database_url, gateway_harness.metadata)
