"""Identity requests after they are made: the approver's queue, the requester's own list, rejection with a
reason, withdrawal and expiry; every answer logged, none of it a way round the four eyes.

Over HTTP against the gateway on the test database (SQLite, or PostgreSQL with MELDROUTE_TEST_DB=postgresql);
the verwerkingenlog is read back through its own endpoint, the stored reasons straight from the database.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.db import as_utc, make_engine
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import downgrade, upgrade
from meldroute_common.sealing import SealingError, load_keyring
from meldroute_dev.testing import ServiceHarness, TestDatabases
from meldroute_dev.testing import test_backend as _backend
from privacy_gateway.identiteit.reden import AFWIJZING, REDEN, unseal_reden
from privacy_gateway.identiteit.verloop import expire_all, start_verlooptaak
from sqlalchemy import text

POLITIE = "politie-oost-nederland"
REDEN_VERZOEK = "Nodig voor afstemming van opvang en veiligheid in het casusoverleg."
PERSOON = {
    "rol": "slachtoffer",
    "bsn": "111222333",
    "naam": "Jan Jansen",
    "geboortedatum": "2001-05-04",
    "telefoon": "0612345678",
}
#: What an approver might type: a BSN and a phone number the scrubber must replace.
AFWIJZING_TEKST = "Niet nodig voor het overleg; bel 06-12345678 of noem 111222333 niet in een verzoek."
#: Never in a list: the person's identifying data, the request's reason.
NOOIT = ("111222333", "Jansen", "2001-05-04", "0612345678", "12345678", REDEN_VERZOEK)


def token(
    issuer: DevIssuer, rol: str, sub: str, organisatie: str = POLITIE, scope: str | None = None
) -> dict[str, str]:
    extra = None if scope is None else {"scope": scope}
    return {"Authorization": f"Bearer {issuer.mint(rol=rol, organisatie=organisatie, sub=sub, extra=extra)}"}


AGENT = "agent-1"
COLLEGA = "agent-2"
CHEF = "chef-1"


class Politie:
    """The partner's people, over HTTP: agents ask, chefs answer."""

    def __init__(self, client: httpx.AsyncClient, issuer: DevIssuer, referentie_van: Any) -> None:
        self.client, self.issuer, self.referentie_van = client, issuer, referentie_van

    def als(self, sub: str, rol: str = "partner", **kwargs: Any) -> dict[str, str]:
        return token(self.issuer, rol, sub, **kwargs)

    async def vraag(self, intern: str, *, sub: str = AGENT) -> dict[str, Any]:
        headers = self.als(sub)
        casus = await self.referentie_van(self.client, headers, intern)
        response = await self.client.get(
            f"/v1/casussen/{casus}", params={"doel": "casusoverleg"}, headers=headers
        )
        assert response.status_code == 200, response.text
        [ref] = [b["referentie"] for b in response.json()["betrokkenen"] if b["rol"] == PERSOON["rol"]]
        response = await self.client.post(
            f"/v1/casussen/{casus}/identiteitsverzoeken",
            json={"betrokkene": ref, "doel": "casusoverleg", "reden": REDEN_VERZOEK},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        verzoek: dict[str, Any] = response.json()
        return verzoek

    async def lijst(self, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
        """Every page of the list; checks on the way that no page shows identifying data."""
        alle: list[dict[str, Any]] = []
        params = {"pageSize": 100, **params}
        while True:
            response = await self.client.get("/v1/identiteitsverzoeken", params=params, headers=headers)
            assert response.status_code == 200, response.text
            for verboden in NOOIT:
                assert verboden not in response.text
            body = response.json()
            alle.extend(body["identiteitsverzoeken"])
            if body["volgende"] is None:
                return alle
            params["cursor"] = body["volgende"]

    async def ids(self, headers: dict[str, str]) -> list[str]:
        return [v["id"] for v in await self.lijst(headers)]

    async def post(
        self, verzoek: dict[str, Any], wat: str, headers: dict[str, str], **body: Any
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/identiteitsverzoeken/{verzoek['id']}/{wat}", headers=headers, json=body or None
        )

    async def identiteit(self, verzoek: dict[str, Any], sub: str = AGENT) -> httpx.Response:
        return await self.client.get(
            f"/v1/identiteitsverzoeken/{verzoek['id']}/identiteit", headers=self.als(sub)
        )

    async def acties(self) -> list[tuple[str, str | None, str | None]]:
        response = await self.client.get(
            "/v1/verwerkingen",
            params={"pageSize": 100},
            headers={"Authorization": f"Bearer {self.issuer.mint(rol='fg')}"},
        )
        assert response.status_code == 200, response.text
        return [
            (r["actie"], r["detail"].get("reden"), r["detail"].get("verzoekId"))
            for r in response.json()["verwerkingen"]
            if r["actie"] not in {"verstrekking"}
        ]


async def test_the_approver_sees_what_waits_for_them_and_the_requester_their_own(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    intern = intake.casus(partners=[POLITIE, "kmar"], betrokkenen=[PERSOON])
    async with gateway() as client:
        politie = Politie(client, issuer, referentie_van)
        eerste = await politie.vraag(intern)
        tweede = await politie.vraag(intern)
        van_collega = await politie.vraag(intern, sub=COLLEGA)
        chef = politie.als(CHEF, "goedkeurder")

        # The approver: the three waiting ones of the own organisation, oldest first, in pages of one.
        assert await politie.ids(chef) == [eerste["id"], tweede["id"], van_collega["id"]]
        gezien = []
        params: dict[str, Any] = {"pageSize": 1}
        while True:
            response = await client.get("/v1/identiteitsverzoeken", params=params, headers=chef)
            body = response.json()
            assert len(body["identiteitsverzoeken"]) == 1
            gezien.append(body["identiteitsverzoeken"][0]["id"])
            if body["volgende"] is None:
                break
            params["cursor"] = body["volgende"]
        assert gezien == [eerste["id"], tweede["id"], van_collega["id"]]
        rij = (await politie.lijst(chef))[0]
        assert rij == {**eerste, "status": "aangevraagd"} and rij["aanvrager"] == AGENT
        assert rij["verlooptOp"] > rij["aangevraagdOp"]

        # The requesters: each their own, and nobody else's.
        assert await politie.ids(politie.als(AGENT)) == [eerste["id"], tweede["id"]]
        assert await politie.ids(politie.als(COLLEGA)) == [van_collega["id"]]
        assert await politie.ids(politie.als("agent-3")) == []

        # An approver who is also the requester never sees their own request waiting for them.
        eigen_chef = politie.als(AGENT, "goedkeurder")
        assert await politie.ids(eigen_chef) == [van_collega["id"]]
        # Holding both scopes: their own requests (as requester) and the others' waiting ones (as approver).
        beide = politie.als(AGENT, "goedkeurder", scope="identiteit:goedkeuren identiteit:verzoeken")
        assert await politie.ids(beide) == [eerste["id"], tweede["id"], van_collega["id"]]

        # Another organisation's approver (the case is shared with it too) sees none of them.
        assert await politie.ids(politie.als("chef-k", "goedkeurder", organisatie="kmar")) == []
        # A token with neither scope, or without an organisation, is refused.
        zonder = await client.get(
            "/v1/identiteitsverzoeken", headers=politie.als(AGENT, scope="casussen:lezen")
        )
        assert zonder.status_code == 403 and "identiteit:goedkeuren" in zonder.json()["detail"]
        fg = {"Authorization": f"Bearer {issuer.mint(rol='fg', extra={'scope': 'identiteit:goedkeuren'})}"}
        assert (await client.get("/v1/identiteitsverzoeken", headers=fg)).status_code == 403
        # A cursor that was not handed out is the one 400.
        slecht = await client.get("/v1/identiteitsverzoeken", params={"cursor": "bm9wZQ"}, headers=chef)
        assert slecht.status_code == 400 and slecht.json()["invalidParams"][0]["name"] == "cursor"

        # Approved: off the approver's queue, on the requester's list as approved.
        assert (await politie.post(eerste, "goedkeuringen", chef)).status_code == 201
        assert await politie.ids(chef) == [tweede["id"], van_collega["id"]]
        statussen = {v["id"]: v["status"] for v in await politie.lijst(politie.als(AGENT))}
        assert statussen == {eerste["id"]: "goedgekeurd", tweede["id"]: "aangevraagd"}


async def test_rejection_with_a_scrubbed_reason_by_another_person_only(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any, gateway_harness: ServiceHarness,
    sql: Any, local_dir: Any,
) -> None:  # fmt: skip
    intern = intake.casus(partners=[POLITIE, "kmar"], betrokkenen=[PERSOON])
    async with gateway() as client:
        politie = Politie(client, issuer, referentie_van)
        verzoek = await politie.vraag(intern)
        chef = politie.als(CHEF, "goedkeurder")

        # Not by an approver of another organisation: it does not exist for them.
        response = await politie.post(
            verzoek,
            "afwijzingen",
            politie.als("chef-k", "goedkeurder", organisatie="kmar"),
            reden=AFWIJZING_TEKST,
        )
        assert response.status_code == 404
        # Not by the requester: without the scope, and holding it (four eyes, logged).
        assert (
            await politie.post(verzoek, "afwijzingen", politie.als(AGENT), reden=AFWIJZING_TEKST)
        ).status_code == 403
        beide = politie.als(AGENT, "goedkeurder", scope="identiteit:goedkeuren identiteit:verzoeken")
        response = await politie.post(verzoek, "afwijzingen", beide, reden=AFWIJZING_TEKST)
        assert response.status_code == 403 and "vier ogen" in response.json()["detail"]
        # A reason is required, and must say something.
        kort = await politie.post(verzoek, "afwijzingen", chef, reden="nee")
        assert kort.status_code == 400 and kort.json()["invalidParams"][0]["name"] == "reden"
        assert (await politie.post(verzoek, "afwijzingen", chef)).status_code == 400

        response = await politie.post(verzoek, "afwijzingen", chef, reden=AFWIJZING_TEKST)
        assert response.status_code == 201, response.text
        afgewezen = response.json()
        assert afgewezen["status"] == "afgewezen" and afgewezen["afgewezenOp"]
        assert "[TELEFOON]" in afgewezen["afwijzingsreden"] and "[BSN]" in afgewezen["afwijzingsreden"]
        assert "12345678" not in response.text and "111222333" not in response.text

        # Rejected is final: no approval, no second rejection, no identity, no withdrawal.
        for wat, body in (("goedkeuringen", {}), ("afwijzingen", {"reden": AFWIJZING_TEKST})):
            response = await politie.post(verzoek, wat, politie.als("chef-2", "goedkeurder"), **body)
            assert response.status_code == 409 and "afgewezen" in response.json()["detail"]
        response = await politie.identiteit(verzoek)
        assert response.status_code == 409 and "Jansen" not in response.text
        assert (await politie.post(verzoek, "intrekkingen", politie.als(AGENT))).status_code == 409

        # The requester sees why; the approver's queue no longer holds it.
        [eigen] = await politie.lijst(politie.als(AGENT))
        assert eigen["status"] == "afgewezen" and eigen["afwijzingsreden"] == afgewezen["afwijzingsreden"]
        assert await politie.ids(chef) == []

        acties = await politie.acties()
        assert [a for a in acties if a[2] == verzoek["id"]] == [
            ("identiteitsverzoek", None, verzoek["id"]),
            ("weigering", "eigen_verzoek", verzoek["id"]),
            ("afwijzing", None, verzoek["id"]),
            ("weigering", "niet_goedgekeurd", verzoek["id"]),
        ]

        # Stored scrubbed in the clear, sealed as typed: the gateway's own key opens it, for this request only.
        [rij] = await sql(
            "SELECT id, casus_id, betrokkene_id, afwijzing_reden, afwijzing_reden_verzegeld, reden_verzegeld, "
            "afgewezen_door FROM identiteitsverzoeken"
        )
        assert rij.afgewezen_door == CHEF and "111222333" not in rij.afwijzing_reden
        sleutels = load_keyring([local_dir / "keys" / "gateway-hpke-private.pem"])
        ids = {
            "verzoek_id": uuid.UUID(str(rij.id)), "casus_id": uuid.UUID(str(rij.casus_id)),
            "betrokkene_id": uuid.UUID(str(rij.betrokkene_id)),
        }  # fmt: skip
        assert unseal_reden(
            blob=bytes(rij.afwijzing_reden_verzegeld), sleutels=sleutels, soort=AFWIJZING, **ids
        ) == (AFWIJZING_TEKST)
        # Each reason opens only as what it is: the rejection's blob is not the request's reason.
        with pytest.raises(SealingError):
            unseal_reden(blob=bytes(rij.afwijzing_reden_verzegeld), sleutels=sleutels, soort=REDEN, **ids)
        assert unseal_reden(blob=bytes(rij.reden_verzegeld), sleutels=sleutels, **ids) == REDEN_VERZOEK


async def test_approval_and_rejection_race_only_one_wins(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    async with gateway() as client:
        politie = Politie(client, issuer, referentie_van)
        for _ in range(3):
            verzoek = await politie.vraag(intern)
            antwoorden = await asyncio.gather(
                politie.post(verzoek, "goedkeuringen", politie.als(CHEF, "goedkeurder")),
                politie.post(
                    verzoek, "afwijzingen", politie.als("chef-2", "goedkeurder"), reden=AFWIJZING_TEKST
                ),
                politie.post(verzoek, "goedkeuringen", politie.als("chef-3", "goedkeurder")),
            )
            codes = sorted(a.status_code for a in antwoorden)
            assert codes == [201, 409, 409], [a.text for a in antwoorden]
            [winnaar] = [a.json() for a in antwoorden if a.status_code == 201]
            [eigen] = [v for v in await politie.lijst(politie.als(AGENT)) if v["id"] == verzoek["id"]]
            assert eigen["status"] == winnaar["status"] in {"goedgekeurd", "afgewezen"}
        # One answer per request in the log, never two.
        acties = await politie.acties()
        antwoorden_per_verzoek: dict[str, int] = {}
        for actie, _, verzoek_id in acties:
            if actie in {"goedkeuring", "afwijzing"} and verzoek_id:
                antwoorden_per_verzoek[verzoek_id] = antwoorden_per_verzoek.get(verzoek_id, 0) + 1
        assert sorted(antwoorden_per_verzoek.values()) == [1, 1, 1]


async def test_the_requester_withdraws_nobody_else_can(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    async with gateway() as client:
        politie = Politie(client, issuer, referentie_van)
        wachtend = await politie.vraag(intern)
        goedgekeurd = await politie.vraag(intern)
        chef = politie.als(CHEF, "goedkeurder")
        assert (await politie.post(goedgekeurd, "goedkeuringen", chef)).status_code == 201

        # A colleague cannot withdraw it (logged), an approver has not the scope, another organisation not the request.
        assert (await politie.post(wachtend, "intrekkingen", politie.als(COLLEGA))).status_code == 403
        assert (await politie.post(wachtend, "intrekkingen", chef)).status_code == 403
        response = await politie.post(
            wachtend, "intrekkingen", token(issuer, "partner", AGENT, organisatie="kmar")
        )
        assert response.status_code == 404  # the same sub in another organisation is another person

        response = await politie.post(wachtend, "intrekkingen", politie.als(AGENT))
        assert response.status_code == 201 and response.json()["status"] == "ingetrokken"
        assert response.json()["ingetrokkenOp"]
        assert (await politie.post(wachtend, "goedkeuringen", chef)).status_code == 409
        assert (await politie.post(wachtend, "intrekkingen", politie.als(AGENT))).status_code == 409
        assert await politie.ids(chef) == []

        # An approval withdrawn cannot be used any more.
        response = await politie.post(goedgekeurd, "intrekkingen", politie.als(AGENT))
        assert response.status_code == 201 and response.json()["status"] == "ingetrokken"
        response = await politie.identiteit(goedgekeurd)
        assert response.status_code == 409 and "ingetrokken" in response.json()["detail"]
        assert "Jansen" not in response.text and "111222333" not in response.text

        statussen = [v["status"] for v in await politie.lijst(politie.als(AGENT))]
        assert statussen == ["ingetrokken", "ingetrokken"]
        acties = await politie.acties()
        assert [a[:2] for a in acties if a[2] == wachtend["id"]] == [
            ("identiteitsverzoek", None),
            ("weigering", "niet_de_aanvrager"),
            ("intrekking", None),
        ]
        assert [a[:2] for a in acties if a[2] == goedgekeurd["id"]] == [
            ("identiteitsverzoek", None),
            ("goedkeuring", None),
            ("intrekking", None),
            ("weigering", "niet_goedgekeurd"),
        ]


async def test_an_expired_request_can_no_longer_be_answered_and_its_expiry_is_logged_once(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any, sql: Any
) -> None:
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    # The round only when the test calls it (it would otherwise also run once at start-up).
    async with gateway(identiteit_verzoek_looptijd_uren=1, retentie_taak_aan=False) as client:
        politie = Politie(client, issuer, referentie_van)
        chef = politie.als(CHEF, "goedkeurder")
        aangeraakt = await politie.vraag(intern)
        door_de_ronde = await politie.vraag(intern)
        vers = await politie.vraag(intern)
        # The lifetime is the setting: an hour, so the day it ends is today or tomorrow.
        assert vers["verlooptOp"] in {vers["aangevraagdOp"], _volgende_dag(vers["aangevraagdOp"])}

        await sql(
            "UPDATE identiteitsverzoeken SET verloopt_op = '2026-01-01 00:00:00+00:00' "
            f"WHERE id IN ('{_db_id(aangeraakt)}', '{_db_id(door_de_ronde)}')",
        )
        # At once: shown as expired to the requester, gone from the approver's queue (the round has not run).
        statussen = {v["id"]: v["status"] for v in await politie.lijst(politie.als(AGENT))}
        assert statussen == {
            aangeraakt["id"]: "verlopen",
            door_de_ronde["id"]: "verlopen",
            vers["id"]: "aangevraagd",
        }
        assert await politie.ids(chef) == [vers["id"]]

        # Approving it is refused, and the expiry is recorded then, once; rejecting and withdrawing likewise fail.
        for _ in range(2):
            response = await politie.post(aangeraakt, "goedkeuringen", chef)
            assert response.status_code == 409 and "verlopen" in response.json()["detail"]
        response = await politie.post(aangeraakt, "afwijzingen", chef, reden=AFWIJZING_TEKST)
        assert response.status_code == 409
        assert (await politie.post(aangeraakt, "intrekkingen", politie.als(AGENT))).status_code == 409
        response = await politie.identiteit(aangeraakt)
        assert response.status_code == 409 and "Jansen" not in response.text

        # The round records the other one, once however often it runs; the fresh one is left alone.
        app = client._transport.app  # type: ignore[attr-defined]
        assert await expire_all(maker=app.state.sessionmaker, gateway=app.state.gateway) == 1
        assert await expire_all(maker=app.state.sessionmaker, gateway=app.state.gateway) == 0
        rijen = await sql("SELECT id, status, verlopen_op FROM identiteitsverzoeken ORDER BY aangevraagd_op")
        assert [r.status for r in rijen] == ["verlopen", "verlopen", "aangevraagd"]
        assert all(r.verlopen_op is not None for r in rijen[:2]) and rijen[2].verlopen_op is None
        assert (await politie.post(door_de_ronde, "goedkeuringen", chef)).status_code == 409
        assert (await politie.post(vers, "goedkeuringen", chef)).status_code == 201

        acties = await politie.acties()
        assert [a[0] for a in acties if a[0] == "verloop"] == ["verloop", "verloop"]
        assert [a[:2] for a in acties if a[2] == aangeraakt["id"]] == [
            ("identiteitsverzoek", None),
            ("verloop", None),
            ("weigering", "niet_goedgekeurd"),
        ]
        assert [a[:2] for a in acties if a[2] == door_de_ronde["id"]] == [
            ("identiteitsverzoek", None),
            ("verloop", None),
        ]


async def test_the_service_runs_the_expiry_round_itself(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any, sql: Any
) -> None:
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    async with gateway() as client:  # the task on: it ran at start-up, on nothing yet
        politie = Politie(client, issuer, referentie_van)
        verzoek = await politie.vraag(intern)
        await sql(
            f"UPDATE identiteitsverzoeken SET verloopt_op = '2026-01-01 00:00:00+00:00' WHERE id = '{_db_id(verzoek)}'"
        )
        # The start-up hook again, on the running app: its first round records the expiry, without any request.
        app = client._transport.app  # type: ignore[attr-defined]
        stop = await start_verlooptaak(app)
        assert stop is not None
        try:
            for _ in range(100):
                [rij] = await sql("SELECT status FROM identiteitsverzoeken")
                if rij.status == "verlopen":
                    break
                await asyncio.sleep(0.05)
        finally:
            await stop()
        assert rij.status == "verlopen"
        assert [a[:2] for a in await politie.acties() if a[2] == verzoek["id"]] == [
            ("identiteitsverzoek", None),
            ("verloop", None),
        ]
    # Switched off with the retention task, it does not start.
    async with gateway(retentie_taak_aan=False) as client:
        app = client._transport.app  # type: ignore[attr-defined]
        assert await start_verlooptaak(app) is None


def _db_id(verzoek: dict[str, Any]) -> str:
    """The request id as the test database stores it (SQLite: 32 hex digits; PostgreSQL: a uuid)."""
    return uuid.UUID(verzoek["id"]).hex


def _volgende_dag(dag: str) -> str:
    return (date.fromisoformat(dag) + timedelta(days=1)).isoformat()


async def test_the_migration_gives_earlier_requests_a_lifetime_and_its_downgrade_drops_ended_ones(
    test_databases: TestDatabases,
) -> None:
    url = test_databases.create("gateway-afhandeling")
    upgrade(service_dir=SERVICE_DIR, database_url=url, revision="0002_gesleutelde_keten")
    aangevraagd = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    ids = [uuid.uuid4() for _ in range(2)]
    engine = make_engine(url)
    try:
        async with engine.begin() as verbinding:
            for verzoek_id in ids:
                await verbinding.execute(
                    text(
                        "INSERT INTO identiteitsverzoeken (id, casus_id, betrokkene_id, partner, aanvrager, doel, "
                        "status, aangevraagd_op) VALUES (:id, :c, :b, 'politie-oost-nederland', 'agent-1', "
                        "'casusoverleg', 'aangevraagd', :op)"
                    ),
                    {
                        "id": _db(verzoek_id),
                        "c": _db(uuid.uuid4()),
                        "b": _db(uuid.uuid4()),
                        "op": aangevraagd,
                    },
                )
        upgrade(service_dir=SERVICE_DIR, database_url=url)
        async with engine.begin() as verbinding:
            rijen = (
                (await verbinding.execute(text("SELECT verloopt_op FROM identiteitsverzoeken")))
                .scalars()
                .all()
            )
            assert [as_utc(_moment(r)) for r in rijen] == [aangevraagd + timedelta(days=14)] * 2
            await verbinding.execute(
                text("UPDATE identiteitsverzoeken SET status = 'ingetrokken' WHERE id = :id"),
                {"id": _db(ids[0])},
            )
        # Down again: the withdrawn request would look like a waiting one, so it goes; the waiting one stays.
        downgrade(service_dir=SERVICE_DIR, database_url=url, revision="0002_gesleutelde_keten")
        async with engine.begin() as verbinding:
            over = (await verbinding.execute(text("SELECT id, status FROM identiteitsverzoeken"))).all()
        assert [(uuid.UUID(str(r.id)), r.status) for r in over] == [(ids[1], "aangevraagd")]
    finally:
        await engine.dispose()


SERVICE_DIR = Path(__file__).resolve().parents[1]


def _db(waarde: uuid.UUID) -> object:
    """An id as the column stores it (uuid on PostgreSQL, 32 hex characters on SQLite)."""
    return waarde if _backend() == "postgresql" else waarde.hex


def _moment(waarde: object) -> datetime:
    return waarde if isinstance(waarde, datetime) else datetime.fromisoformat(str(waarde))


async def test_no_planner_statistics_hold_the_rejecter_or_the_rejection_reasons(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any, gateway_harness: ServiceHarness
) -> None:
    """PostgreSQL: after ANALYZE, pg_stats has no row for the new person and reason columns (and rows for the
    others); SQLite: its statistics tables hold none of the reason."""
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    beschermd = {"afgewezen_door", "afwijzing_reden", "afwijzing_reden_verzegeld"}
    async with gateway() as client:
        politie = Politie(client, issuer, referentie_van)
        for _ in range(3):
            verzoek = await politie.vraag(intern)
            response = await politie.post(
                verzoek, "afwijzingen", politie.als(CHEF, "goedkeurder"), reden=AFWIJZING_TEKST
            )
            assert response.status_code == 201
        engine = make_engine(gateway_harness.database_url)
        try:
            async with engine.connect() as verbinding:
                if _backend() == "postgresql":
                    await verbinding.execute(text("COMMIT"))  # ANALYZE outside a transaction block
                await verbinding.execute(text("ANALYZE"))
                if _backend() == "postgresql":
                    kolommen = set(
                        (
                            await verbinding.execute(
                                text(
                                    "SELECT attname FROM pg_stats WHERE schemaname = 'public' "
                                    "AND tablename = 'identiteitsverzoeken'"
                                )
                            )
                        ).scalars()
                    )
                    assert "status" in kolommen and "afgewezen_op" in kolommen  # the control: ANALYZE ran
                    assert not kolommen & beschermd, sorted(kolommen & beschermd)
                else:
                    namen = (
                        await verbinding.execute(
                            text("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
                        )
                    ).scalars()
                    teksten = [
                        repr((await verbinding.execute(text(f'SELECT * FROM "{naam}"'))).all())
                        for naam in list(namen)
                    ]
                    assert teksten and not any("Niet nodig" in t or CHEF in t for t in teksten)
        finally:
            await engine.dispose()
