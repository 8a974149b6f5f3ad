"""Two partners cannot join their answers, and a reason typed into an identity request is never kept readable.

Two partners share cases about the same person. Everything each of them receives (the list page by page,
every case, the evaluation, the identity request with its approval and the identity, the refusals) is taken
apart into its values; the two sets may share only what the policy, the catalogue or the case's content
gives everyone alike (codes, rule ids, texts of the policy, day dates). No identifier, pseudonym or moment.

The canary typed into `reden` is looked for in every gateway table, in `pg_stats` after ANALYZE on
PostgreSQL, in every log record and in every answer: in each form (as typed, digits only, case-folded).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from meldroute_common.db import make_engine
from meldroute_common.devissuer import DevIssuer
from meldroute_common.sealing import load_keyring
from meldroute_dev.testing import ServiceHarness
from meldroute_dev.testing import test_backend as _backend
from privacy_gateway.identiteit.reden import unseal_reden
from privacy_gateway.identiteit.retentie import Retentie, purge
from privacy_gateway.main import load_logboek
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

RIEC = "riec-oost-nederland"
POLITIE = "politie-oost-nederland"
PG = _backend() == "postgresql"

CANARY_NAAM = "Canarius Zwartveld"
CANARY_BSN = "123456782"
CANARY_TELEFOON = "0612345678"
CANARY_EMAIL = "canary@example.nl"
CANARY_REDEN = (
    f"Afstemming met {CANARY_NAAM} (BSN {CANARY_BSN}), bereikbaar op {CANARY_TELEFOON} of {CANARY_EMAIL}, "
    "voor opvang."
)
#: Every form the canary is looked for in: as typed, digits only, case-folded.
CANARY_VORMEN = (
    CANARY_NAAM, "Canarius", "Zwartveld", CANARY_BSN, CANARY_TELEFOON, CANARY_EMAIL, "canary(at)example",
    "123 456 782", "06-12345678", "612345678",
)  # fmt: skip
PERSOON = {"rol": "slachtoffer", "bsn": CANARY_BSN, "naam": CANARY_NAAM, "geboortedatum": "1990-02-03"}
ANDER = {"rol": "verdachte", "bsn": "111222333", "naam": "Jan Jansen"}

DAG = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT = re.compile(r"\d{2}:\d{2}")
ID_VORM = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9a-f]{64}$")


def token(issuer: DevIssuer, rol: str, organisatie: str, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol=rol, organisatie=organisatie, sub=sub)}"}


def scalars(waarde: Any, *, sleutel: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string and number in a JSON value, with the key it sits under (booleans and null say nothing)."""
    if isinstance(waarde, dict):
        for k, v in waarde.items():
            yield from scalars(v, sleutel=k)
    elif isinstance(waarde, list):
        for v in waarde:
            yield from scalars(v, sleutel=sleutel)
    elif isinstance(waarde, bool) or waarde is None:
        return
    else:
        yield sleutel, str(waarde)


class Partner:
    """One partner's requests; every answer is kept, taken apart into values."""

    def __init__(self, client: httpx.AsyncClient, issuer: DevIssuer, organisatie: str) -> None:
        self.client, self.organisatie = client, organisatie
        self.aanvrager = token(issuer, "partner", organisatie, f"{organisatie}-analist")
        self.goedkeurder = token(issuer, "goedkeurder", organisatie, f"{organisatie}-chef")
        self.antwoorden: list[httpx.Response] = []
        #: Values of the approved identity answers: the one place the person's data may appear.
        self.identiteit: list[dict[str, Any]] = []

    async def vraag(self, methode: str, url: str, headers: dict[str, str], **kwargs: Any) -> httpx.Response:
        antwoord = await self.client.request(methode, url, headers=headers, **kwargs)
        self.antwoorden.append(antwoord)
        return antwoord

    def waarden(self) -> set[str]:
        uit: set[str] = set()
        for antwoord in self.antwoorden:
            if "location" in antwoord.headers:
                uit |= set(antwoord.headers["location"].strip("/").split("/"))
            if not antwoord.content:
                continue
            body = antwoord.json()
            if antwoord.url.path.endswith("/identiteit") and antwoord.status_code == 200:
                body = {"verzoekId": body["verzoekId"]}  # the approved identity itself is the person's data
            uit |= {w for _, w in scalars(body)}
        return uit

    async def lijst(self) -> list[dict[str, Any]]:
        """The whole list, one case per page, so the cursors are part of what is compared."""
        casussen: list[dict[str, Any]] = []
        params: dict[str, str | int] = {"pageSize": 1}
        while True:
            antwoord = await self.vraag("GET", "/v1/casussen", self.aanvrager, params=params)
            assert antwoord.status_code == 200, antwoord.text
            casussen += antwoord.json()["casussen"]
            if antwoord.json()["volgende"] is None:
                return casussen
            params["cursor"] = antwoord.json()["volgende"]

    async def alles(self) -> None:
        """Everything a partner can ask about its cases, the identity of the canary included."""
        casussen = await self.lijst()
        assert [c["id"] for c in casussen] == sorted(c["id"] for c in casussen)
        for casus in casussen:
            antwoord = await self.vraag(
                "GET", f"/v1/casussen/{casus['id']}", self.aanvrager, params={"doel": "casusoverleg"}
            )
            assert antwoord.status_code == 200, antwoord.text
            body = antwoord.json()
            assert [b["referentie"] for b in body["betrokkenen"]] == sorted(
                b["referentie"] for b in body["betrokkenen"]
            )
            evaluatie = await self.vraag(
                "POST",
                "/v1/beleid/evaluaties",
                self.aanvrager,
                json={"casusId": casus["id"], "doel": "casusoverleg"},
            )
            assert evaluatie.status_code == 200, evaluatie.text
            for betrokkene in body["betrokkenen"]:
                verzoek = await self.vraag(
                    "POST", f"/v1/casussen/{casus['id']}/identiteitsverzoeken", self.aanvrager,
                    json={"betrokkene": betrokkene["referentie"], "doel": "casusoverleg", "reden": CANARY_REDEN},
                )  # fmt: skip
                assert verzoek.status_code == 201, verzoek.text
                verzoek_id = verzoek.json()["id"]
                goedkeuring = await self.vraag(
                    "POST", f"/v1/identiteitsverzoeken/{verzoek_id}/goedkeuringen", self.goedkeurder
                )
                assert goedkeuring.status_code == 201, goedkeuring.text
                identiteit = await self.vraag(
                    "GET", f"/v1/identiteitsverzoeken/{verzoek_id}/identiteit", self.aanvrager
                )
                assert identiteit.status_code == 200, identiteit.text
                self.identiteit.append(identiteit.json())
        # A refusal is an answer too.
        onbekend = await self.vraag(
            "GET", f"/v1/casussen/{uuid.uuid4()}", self.aanvrager, params={"doel": "casusoverleg"}
        )
        assert onbekend.status_code == 404


async def gemeenschappelijk_toegestaan(client: httpx.AsyncClient, issuer: DevIssuer, intake: Any) -> set[str]:
    """What every partner may receive alike: the published policy, the cases' coded content, fixed texts."""
    beleid = await client.get("/v1/beleid", headers=token(issuer, "partner", RIEC, "x"))
    toegestaan = {w for _, w in scalars(beleid.json())}
    inhoud_sleutels = {
        "gemeenteCode", "melderDomein", "waargenomenOp", "uitbuitingsvormen", "indicatoren", "sector",
        "locatietype", "omschrijving", "rol", "leeftijdsklasse", "geslacht", "nationaliteitsgroep",
        "gekoppeldeSignalen", "vertrouwelijkheidaanduiding", "doel",
    }  # fmt: skip
    for casus in intake.casussen.values():
        toegestaan |= {w for k, w in scalars(casus) if k in inhoud_sleutels}
    # Fixed texts of answers and refusals, the statuses of a request, the HTTP status of a refusal.
    toegestaan |= {
        "aangevraagd", "goedgekeurd", "urn:meldroute:probleem:niet-gevonden", "Niet gevonden",
        "Casus niet gevonden.", "404", "v1", "identiteitsverzoeken",
    }  # fmt: skip
    return toegestaan


async def test_two_partners_share_no_identifier_pseudonym_or_moment(
    gateway: Any, intake: Any, issuer: DevIssuer
) -> None:
    # Three cases about the canary: one both partners received, one each; plus another person in the first.
    moment = datetime(2026, 11, 3, 14, 7, 31, 123456, tzinfo=UTC)
    gedeeld = intake.casus(partners=[RIEC, POLITIE], betrokkenen=[PERSOON, ANDER], opgeschaald=moment)
    intake.casus(partners=[RIEC], betrokkenen=[PERSOON], opgeschaald=moment + timedelta(seconds=1))
    intake.casus(partners=[POLITIE], betrokkenen=[PERSOON], opgeschaald=moment + timedelta(seconds=2))
    async with gateway() as client:
        riec, politie = Partner(client, issuer, RIEC), Partner(client, issuer, POLITIE)
        await riec.alles()
        await politie.alles()
        a, b = riec.waarden(), politie.waarden()
        gedeelde = a & b
        toegestaan = await gemeenschappelijk_toegestaan(client, issuer, intake)
        vreemd = {w for w in gedeelde if w not in toegestaan and not DAG.match(w)}
        assert not vreemd, f"values both partners received: {sorted(vreemd)}"
        # Said outright: nothing shaped like an id, and no moment at all, in either.
        assert not {w for w in gedeelde if ID_VORM.match(w)}
        assert not [w for w in a | b if MOMENT.search(w)], "a moment finer than a day reached a partner"

        # Nothing intake knows the case or the people by reaches either partner.
        intern = {gedeeld}
        for casus in intake.casussen.values():
            intern |= {casus["id"], *(p["id"] for p in casus["betrokkenen"])}
            intern |= {p["linkPseudoniem"] for p in casus["betrokkenen"] if p["linkPseudoniem"]}
        assert not intern & (a | b)

        # Both did get the person (the control: the comparison was over real answers).
        assert {i["bsn"] for i in riec.identiteit} >= {CANARY_BSN}
        assert {i["bsn"] for i in politie.identiteit} >= {CANARY_BSN}
        pseudoniemen_riec = {w for k, w in _alle(riec) if k == "pseudoniem"}
        pseudoniemen_politie = {w for k, w in _alle(politie) if k == "pseudoniem"}
        assert len(pseudoniemen_riec) == len(pseudoniemen_politie) == 2  # the canary and the other person
        assert not pseudoniemen_riec & pseudoniemen_politie


def _alle(partner: Partner) -> Iterator[tuple[str | None, str]]:
    for antwoord in partner.antwoorden:
        if antwoord.content:
            yield from scalars(antwoord.json())


async def test_a_partner_cannot_use_another_partners_reference(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(partners=[RIEC, POLITIE], betrokkenen=[PERSOON])
    async with gateway() as client:
        riec, politie = Partner(client, issuer, RIEC), Partner(client, issuer, POLITIE)
        riec_ref = await referentie_van(client, riec.aanvrager, casus)
        politie_ref = await referentie_van(client, politie.aanvrager, casus)
        body = (
            await client.get(
                f"/v1/casussen/{riec_ref}", params={"doel": "casusoverleg"}, headers=riec.aanvrager
            )
        ).json()
        betrokkene = body["betrokkenen"][0]["referentie"]
        for ref in (riec_ref, casus):  # RIEC's reference, and intake's id, are nothing to the police
            gelezen = await client.get(
                f"/v1/casussen/{ref}", params={"doel": "casusoverleg"}, headers=politie.aanvrager
            )
            geevalueerd = await client.post(
                "/v1/beleid/evaluaties",
                json={"casusId": ref, "doel": "casusoverleg"},
                headers=politie.aanvrager,
            )
            gevraagd = await client.post(
                f"/v1/casussen/{ref}/identiteitsverzoeken",
                json={"betrokkene": betrokkene, "doel": "casusoverleg", "reden": CANARY_REDEN},
                headers=politie.aanvrager,
            )
            assert [gelezen.status_code, geevalueerd.status_code, gevraagd.status_code] == [404] * 3
        # The police's own reference with RIEC's betrokkene reference: the betrokkene is unknown there too.
        gevraagd = await client.post(
            f"/v1/casussen/{politie_ref}/identiteitsverzoeken",
            json={"betrokkene": betrokkene, "doel": "casusoverleg", "reden": CANARY_REDEN},
            headers=politie.aanvrager,
        )
        assert gevraagd.status_code == 404
        # The control: under its own reference the police get the case.
        eigen = await client.get(
            f"/v1/casussen/{politie_ref}", params={"doel": "casusoverleg"}, headers=politie.aanvrager
        )
        assert eigen.status_code == 200 and eigen.json()["id"] == politie_ref


# --- the reason --------------------------------------------------------------------------------------


async def tabellen(harness: ServiceHarness) -> dict[str, list[str]]:
    """Every row of every gateway table, as text (bytes as the text they would decode to, and as hex)."""
    engine = make_engine(harness.database_url)
    uit: dict[str, list[str]] = {}
    try:
        async with engine.connect() as verbinding:
            for tabel in harness.metadata.sorted_tables:
                rijen = (await verbinding.execute(tabel.select())).all()
                uit[tabel.name] = [
                    repr([w.decode("utf-8", "replace") if isinstance(w, bytes) else w for w in rij])
                    for rij in rijen
                ]
    finally:
        await engine.dispose()
    return uit


def pg_dump(harness: ServiceHarness) -> str:
    """The whole database as `pg_dump --data-only` writes it (everything a backup would carry)."""
    from sqlalchemy.engine import make_url

    url = make_url(harness.database_url)
    uitkomst = subprocess.run(
        ["pg_dump", "--data-only", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", url.database or ""],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return uitkomst.stdout


async def pg_stats(harness: ServiceHarness) -> list[tuple[str, str, str]]:
    """(table, column, every value pg_stats holds for it as text), after ANALYZE."""
    engine = make_engine(harness.database_url)
    try:
        async with engine.connect() as verbinding:
            await verbinding.execute(text("COMMIT"))
            await verbinding.execute(text("ANALYZE"))
            rijen = (
                await verbinding.execute(
                    text(
                        "SELECT tablename, attname, concat_ws(' ', most_common_vals::text, histogram_bounds::text, "
                        "most_common_elems::text) FROM pg_stats WHERE schemaname = 'public'"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    return [(r[0], r[1], r[2] or "") for r in rijen]


def treffers(teksten: list[str]) -> list[str]:
    gevonden = []
    for tekst in teksten:
        plat = tekst.casefold()
        cijfers = re.sub(r"\D", "", tekst)
        for vorm in CANARY_VORMEN:
            if vorm.casefold() in plat or (vorm.isdigit() and vorm in cijfers):
                gevonden.append(f"{vorm!r} in {tekst[:160]}")
    return gevonden


@pytest.fixture
def alle_logs(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    caplog.set_level(logging.DEBUG)
    yield caplog.records


def log_teksten(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.getMessage()} {r.__dict__}" for r in records]


@pytest.mark.processes
async def test_the_canary_in_a_reason_is_sealed_and_found_nowhere_in_the_clear(
    gateway: Any, intake: Any, issuer: DevIssuer, gateway_harness: ServiceHarness, local_dir: Any,
    alle_logs: list[logging.LogRecord],
) -> None:  # fmt: skip
    casus = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    async with gateway(retentie_taak_aan=False) as client:
        politie = Partner(client, issuer, POLITIE)
        [gezien] = await politie.lijst()
        body = (
            await politie.vraag(
                "GET", f"/v1/casussen/{gezien['id']}", politie.aanvrager, params={"doel": "casusoverleg"}
            )
        ).json()
        # The reason in several forms: as typed, spaced, with a line break, and far too long (a 400).
        for reden in (CANARY_REDEN, CANARY_REDEN.replace(CANARY_BSN, "123 456 782"), CANARY_REDEN + "\n" * 3):
            antwoord = await politie.vraag(
                "POST", f"/v1/casussen/{gezien['id']}/identiteitsverzoeken", politie.aanvrager,
                json={"betrokkene": body["betrokkenen"][0]["referentie"], "doel": "casusoverleg", "reden": reden},
            )  # fmt: skip
            assert antwoord.status_code == 201, antwoord.text
        te_lang = await politie.vraag(
            "POST", f"/v1/casussen/{gezien['id']}/identiteitsverzoeken", politie.aanvrager,
            json={"betrokkene": body["betrokkenen"][0]["referentie"], "doel": "casusoverleg", "reden": CANARY_REDEN * 40},
        )  # fmt: skip
        assert te_lang.status_code == 400
        fg = {"Authorization": f"Bearer {issuer.mint(rol='fg', sub='fg-1')}"}
        log = await client.get("/v1/verwerkingen", params={"pageSize": 100}, headers=fg)
        assert log.status_code == 200 and len(log.json()["verwerkingen"]) == 4

        assert not treffers([a.text for a in politie.antwoorden] + [log.text])
        assert not treffers(log_teksten(alle_logs))
        rijen = await tabellen(gateway_harness)
        assert len(rijen["identiteitsverzoeken"]) == 3
        assert not treffers([r for tabel in rijen.values() for r in tabel])
        if PG:
            assert not treffers([s for _, _, s in await pg_stats(gateway_harness)])
            dump = pg_dump(gateway_harness)
            assert "COPY public.identiteitsverzoeken" in dump  # the control: the dump has the table
            assert not treffers(dump.splitlines())

        # Sealed, not lost: the gateway's own key opens each reason, bound to its own request only.
        engine = make_engine(gateway_harness.database_url)
        try:
            async with engine.connect() as verbinding:
                opgeslagen = (
                    await verbinding.execute(
                        text(
                            "SELECT id, casus_id, betrokkene_id, reden, reden_verzegeld FROM identiteitsverzoeken"
                        )
                    )
                ).all()
        finally:
            await engine.dispose()
        sleutels = load_keyring([local_dir / "keys" / "gateway-hpke-private.pem"])
        geopend = set()
        for rij in opgeslagen:
            assert rij.reden is None  # only sealed: a scrubbed copy would still hold the names
            geopend.add(
                unseal_reden(
                    blob=bytes(rij.reden_verzegeld), sleutels=sleutels, verzoek_id=uuid.UUID(str(rij.id)),
                    casus_id=uuid.UUID(str(rij.casus_id)), betrokkene_id=uuid.UUID(str(rij.betrokkene_id)),
                )
            )  # fmt: skip
        assert CANARY_REDEN in geopend and len(geopend) == 3
        assert casus not in str([a.text for a in politie.antwoorden])


# --- retention -----------------------------------------------------------------------------------


@pytest.mark.processes
async def test_the_purge_removes_requests_approvals_and_reasons_and_logs_only_counts(
    gateway: Any, intake: Any, issuer: DevIssuer, gateway_harness: ServiceHarness
) -> None:
    intake.casus(partners=[POLITIE], betrokkenen=[PERSOON, ANDER])
    async with gateway(retentie_taak_aan=False) as client:
        politie = Partner(client, issuer, POLITIE)
        [gezien] = await politie.lijst()
        body = (
            await client.get(
                f"/v1/casussen/{gezien['id']}", params={"doel": "casusoverleg"}, headers=politie.aanvrager
            )
        ).json()
        ids = []
        for betrokkene in body["betrokkenen"]:
            antwoord = await client.post(
                f"/v1/casussen/{gezien['id']}/identiteitsverzoeken",
                json={"betrokkene": betrokkene["referentie"], "doel": "casusoverleg", "reden": CANARY_REDEN},
                headers=politie.aanvrager,
            )
            ids.append(antwoord.json()["id"])
        goedgekeurd = await client.post(
            f"/v1/identiteitsverzoeken/{ids[0]}/goedkeuringen", headers=politie.goedkeurder
        )
        assert goedgekeurd.status_code == 201

        engine = make_engine(gateway_harness.database_url)
        maker = async_sessionmaker(engine, expire_on_commit=False)
        retentie = Retentie(
            termijn="P30D", bewaartermijn_log="P20Y", logboek=load_logboek(gateway_harness.settings())
        )
        nu = datetime.now(UTC)
        try:
            # Within the period nothing goes; past it, the unapproved one goes first (counted from its
            # request), the approved one when its approval has ended too.
            assert await purge(maker=maker, retentie=retentie, moment=nu + timedelta(days=29)) == 0
            assert await purge(maker=maker, retentie=retentie, moment=nu + timedelta(days=30, hours=1)) == 1
            assert await purge(maker=maker, retentie=retentie, moment=nu + timedelta(days=34)) == 1
            assert await purge(maker=maker, retentie=retentie, moment=nu + timedelta(days=40)) == 0
        finally:
            await engine.dispose()

        fg = {"Authorization": f"Bearer {issuer.mint(rol='fg', sub='fg-1')}"}
        rijen = (await client.get("/v1/verwerkingen", params={"actie": "retentie"}, headers=fg)).json()[
            "verwerkingen"
        ]
        assert [r["detail"] for r in rijen] == [
            {"bewaartermijn": "P30D", "identiteitsverzoeken": n, "goedkeuringen": g,
             "gewist": ["identiteitsverzoeken", "goedkeuringen", "redenen"]}
            for n, g in ((1, 0), (1, 1))
        ]  # fmt: skip
        assert all(r["betrokkene"] is None and r["casusId"] is None and r["afnemer"] is None for r in rijen)
        verificatie = (await client.get("/v1/verwerkingen/verificatie", headers=fg)).json()
        assert verificatie["ok"] is True

        # The requests are gone for their partner too, and nothing of any reason is left anywhere.
        for verzoek_id in ids:
            weg = await client.get(
                f"/v1/identiteitsverzoeken/{verzoek_id}/identiteit", headers=politie.aanvrager
            )
            assert weg.status_code == 404
        tabel_rijen = await tabellen(gateway_harness)
        assert tabel_rijen["identiteitsverzoeken"] == []
        assert not treffers([r for tabel in tabel_rijen.values() for r in tabel])
        if PG:
            assert not treffers([s for _, _, s in await pg_stats(gateway_harness)])
            assert not treffers(pg_dump(gateway_harness).splitlines())


async def test_the_daily_task_purges_in_the_service(
    gateway: Any, intake: Any, issuer: DevIssuer, gateway_harness: ServiceHarness
) -> None:
    import asyncio

    intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    async with gateway(retentie_identiteitsverzoeken="PT1S", retentie_interval_seconden=0.3) as client:
        politie = Partner(client, issuer, POLITIE)
        [gezien] = await politie.lijst()
        body = (
            await client.get(
                f"/v1/casussen/{gezien['id']}", params={"doel": "casusoverleg"}, headers=politie.aanvrager
            )
        ).json()
        antwoord = await client.post(
            f"/v1/casussen/{gezien['id']}/identiteitsverzoeken",
            json={
                "betrokkene": body["betrokkenen"][0]["referentie"],
                "doel": "casusoverleg",
                "reden": CANARY_REDEN,
            },
            headers=politie.aanvrager,
        )
        assert antwoord.status_code == 201
        for _ in range(50):
            if not (await tabellen(gateway_harness))["identiteitsverzoeken"]:
                break
            await asyncio.sleep(0.1)
        assert (await tabellen(gateway_harness))["identiteitsverzoeken"] == []


async def test_no_statistics_hold_values_of_sealed_pseudonym_reference_or_free_text_columns(
    gateway: Any, intake: Any, issuer: DevIssuer, gateway_harness: ServiceHarness
) -> None:
    """PostgreSQL: after ANALYZE, pg_stats has no row at all for a protected column (and rows for the others).
    SQLite keeps no per-column values unless built with STAT4; whatever its statistics tables hold has none
    of the canary."""
    beschermd: set[tuple[str, str]] = set()
    # Every migration that protects columns lists them in KOLOMMEN (0003 the first ones, 0005 advice references).
    for bestand in ("20261201_0003_geen_statistieken.py", "20261201_0005_adviesvraag_referenties.py"):
        pad = gateway_harness.service_dir / "migrations" / "versions" / bestand
        spec = importlib.util.spec_from_file_location(bestand.removesuffix(".py"), pad)
        assert spec is not None and spec.loader is not None
        migratie = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migratie)
        beschermd |= {(t, k) for t, kolommen in migratie.KOLOMMEN.items() for k in kolommen}
    assert ("identiteitsverzoeken", "reden_verzegeld") in beschermd and (
        "verwerkingen",
        "betrokkene",
    ) in beschermd
    assert ("adviesvraag_referenties", "referentie") in beschermd

    intake.casus(partners=[POLITIE], betrokkenen=[PERSOON, ANDER])
    intake.adviesvraag(experts=[POLITIE])
    async with gateway(retentie_taak_aan=False) as client:
        politie = Partner(client, issuer, POLITIE)
        await politie.alles()
        adviesvragen = await client.get("/v1/adviesvragen", headers=token(issuer, "partner", POLITIE, "p-1"))
        assert adviesvragen.status_code == 200 and len(adviesvragen.json()["adviesvragen"]) == 1
        if PG:
            statistieken = await pg_stats(gateway_harness)
            kolommen = {(t, k) for t, k, _ in statistieken}
            # The control: ANALYZE did gather statistics, on the columns that may have them.
            assert ("identiteitsverzoeken", "status") in kolommen and ("verwerkingen", "actie") in kolommen
            assert ("adviesvraag_referenties", "partner") in kolommen
            assert not kolommen & beschermd, sorted(kolommen & beschermd)
            assert not treffers([s for _, _, s in statistieken])
        else:
            teksten = await sqlite_statistieken(gateway_harness)
            assert teksten, "ANALYZE wrote no statistics at all"
            assert not treffers(teksten)


async def sqlite_statistieken(harness: ServiceHarness) -> list[str]:
    engine = make_engine(harness.database_url)
    try:
        async with engine.begin() as verbinding:
            await verbinding.execute(text("ANALYZE"))
            namen = (
                await verbinding.execute(
                    text("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
                )
            ).scalars()
            teksten = []
            for naam in list(namen):
                rijen = (await verbinding.execute(text(f'SELECT * FROM "{naam}"'))).all()
                teksten += [
                    repr([w.decode("utf-8", "replace") if isinstance(w, bytes) else w for w in r])
                    for r in rijen
                ]
            return teksten
    finally:
        await engine.dispose()
