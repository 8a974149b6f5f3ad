"""Every free text in intake goes through the scrubber; its original is sealed and purged with the rest."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from intake_api.retentie.service import Termijnen, purge
from meldroute_common.db import make_engine
from meldroute_common.sealing import SealContext, load_keyring, open_sealed
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import async_sessionmaker

from .conftest import OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

CANARIUS = {
    "rol": "slachtoffer", "bsn": "123456782", "naam": "Canarius Zwartveld", "geboortedatum": "1990-02-03",
    "adres": "Kanariestraat 77, 7071 AB Dinxperlo", "telefoon": "0612345678",
}  # fmt: skip
NOTITIE = (
    "Besproken; Canarius Zwartveld bereikbaar op 0612345678. C. Zwartvelds broer woont ook aan de "
    "Kanariestraat in Dinxperlo (7071ab), geboren 3 feb. 1990."
)
GESCHOOND = (
    "Besproken; [NAAM] bereikbaar op [TELEFOON]. [NAAM] broer woont ook aan de "
    "[ADRES] in [ADRES] ([POSTCODE]), geboren [GEBOORTEDATUM]."
)


async def test_a_triage_note_is_scrubbed_of_the_signals_own_betrokkenen_and_its_original_sealed(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, db_rijen: Doe,
    intake_harness: ServiceHarness,
) -> None:  # fmt: skip
    signaal = await aanmaken(betrokkenen=[CANARIUS])
    antwoord = await beoordeel(signaal["id"], 1, "in_behandeling", toelichting=NOTITIE)
    assert antwoord.status_code == 200, antwoord.text
    historie = (await client.get(f"/v1/signalen/{signaal['id']}/historie", headers=kop())).json()["historie"]
    assert historie[-1]["toelichting"] == GESCHOOND
    assert [r["toelichting"] for r in await db_rijen("signaal_historie")][-1] == GESCHOOND

    # Intake keeps only keyed hashes of the identifying words, never the words.
    merken = await db_rijen("signaal_schoonmerken")
    assert len(merken) >= 6 and all(len(m["merk"]) == 64 for m in merken)

    originelen = await db_rijen("toelichting_originelen")
    assert len(originelen) == 1
    keyring = load_keyring([intake_harness.local_dir / "keys" / "gateway-hpke-private.pem"])
    geopend = open_sealed(
        blob=originelen[0]["verzegeld"],
        sleutels=keyring,
        context=SealContext(signaal_id=uuid.UUID(signaal["id"]), betrokkene_id=None, veld="toelichting.2"),
    )
    assert geopend.decode() == NOTITIE


async def test_another_signals_people_are_not_known_to_this_signal(
    aanmaken: Doe, beoordeel: Doe, db_rijen: Doe
) -> None:
    await aanmaken(betrokkenen=[CANARIUS])
    ander = await aanmaken()  # Piet Voorbeeld
    await beoordeel(ander["id"], 1, "in_behandeling", toelichting="Piet Voorbeeld kent Zwartveld niet.")
    assert [r["toelichting"] for r in await db_rijen("signaal_historie")][-1] == "[NAAM] kent Zwartveld niet."


async def test_purge_removes_every_original_and_every_scrub_mark(
    aanmaken: Doe, beoordeel: Doe, db_rijen: Doe, intake_harness: ServiceHarness
) -> None:
    signaal = await aanmaken(betrokkenen=[CANARIUS])
    await beoordeel(signaal["id"], 1, "in_behandeling", toelichting=NOTITIE)
    await beoordeel(signaal["id"], 2, "opgeschaald", toelichting=f"Opgeschaald. {NOTITIE}", **OPSCHALING)
    assert len(await db_rijen("toelichting_originelen")) == 2
    engine = make_engine(intake_harness.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        termijnen = Termijnen(niet_opgeschaald="P6M", opgeschaald="P5Y")
        assert (
            await purge(maker=maker, termijnen=termijnen, moment=datetime.now(UTC) + timedelta(days=365 * 6))
            == 1
        )
    finally:
        await engine.dispose()
    assert await db_rijen("toelichting_originelen") == []
    assert await db_rijen("signaal_schoonmerken") == []
    assert all(r["omschrijving_verzegeld"] is None for r in await db_rijen("signalen"))
    assert all(r["identiteit_verzegeld"] is None for r in await db_rijen("betrokkenen"))
    laatste = (await db_rijen("signaal_historie"))[-1]
    assert laatste["actie"] == "identiteit_gewist" and laatste["details"]["toelichtingen"] == 2
