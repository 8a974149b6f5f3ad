"""Identity disclosure: request, approval by a different person, unsealing by the requester only."""

from __future__ import annotations

from typing import Any

from meldroute_common.devissuer import DevIssuer

POLITIE = "politie-oost-nederland"
REDEN = "Nodig voor afstemming van opvang en veiligheid in het casusoverleg."
PERSOON = {
    "rol": "slachtoffer",
    "bsn": "111222333",
    "naam": "Jan Jansen",
    "geboortedatum": "2001-05-04",
    "telefoon": "0612345678",
}


def token(issuer: DevIssuer, rol: str, sub: str, organisatie: str = POLITIE) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol=rol, organisatie=organisatie, sub=sub)}"}


async def acties(client: Any, issuer: DevIssuer) -> list[tuple[str, str | None]]:
    response = await client.get(
        "/v1/verwerkingen",
        params={"pageSize": 100},
        headers={"Authorization": f"Bearer {issuer.mint(rol='fg')}"},
    )
    return [(r["actie"], r["detail"].get("reden")) for r in response.json()["verwerkingen"]]


async def referentie(client: Any, issuer: DevIssuer, casus: str, sub: str = "agent-1") -> str:
    """The betrokkene's reference in a case, asked for by the partner's own case reference."""
    response = await client.get(
        f"/v1/casussen/{casus}", params={"doel": "casusoverleg"}, headers=token(issuer, "partner", sub)
    )
    assert response.status_code == 200, response.text
    assert "Jansen" not in response.text
    # Betrokkenen are ordered by reference, so the person is found by role, not by place.
    [waarde] = [b["referentie"] for b in response.json()["betrokkenen"] if b["rol"] == PERSOON["rol"]]
    return str(waarde)


async def test_four_eyes_then_the_requester_gets_the_identity(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    aanvrager = token(issuer, "partner", "agent-1")
    async with gateway() as client:
        casus = await referentie_van(client, aanvrager, intern)
        ref = await referentie(client, issuer, casus)
        response = await client.post(
            f"/v1/casussen/{casus}/identiteitsverzoeken",
            json={"betrokkene": ref, "doel": "casusoverleg", "reden": REDEN},
            headers=aanvrager,
        )
        assert response.status_code == 201, response.text
        verzoek = response.json()
        assert verzoek["status"] == "aangevraagd" and response.headers["location"].endswith(verzoek["id"])
        assert verzoek["casusId"] == casus and verzoek["betrokkene"] == ref and intern not in response.text
        assert len(verzoek["aangevraagdOp"]) == 10  # a day, not a moment
        identiteit_url = f"/v1/identiteitsverzoeken/{verzoek['id']}/identiteit"

        # Not yet approved: nothing.
        response = await client.get(identiteit_url, headers=aanvrager)
        assert response.status_code == 409 and "Jansen" not in response.text

        # The requester cannot approve their own request, even holding the scope.
        eigen = issuer.mint(
            rol="goedkeurder", organisatie=POLITIE, sub="agent-1",
            extra={"scope": "identiteit:goedkeuren identiteit:verzoeken casussen:lezen"},
        )  # fmt: skip
        goedkeuren = f"/v1/identiteitsverzoeken/{verzoek['id']}/goedkeuringen"
        response = await client.post(goedkeuren, headers={"Authorization": f"Bearer {eigen}"})
        assert response.status_code == 403, response.text

        # An approver of another organisation does not even see the request.
        response = await client.post(
            goedkeuren, headers=token(issuer, "goedkeurder", "chef-x", organisatie="kmar")
        )
        assert response.status_code == 404

        response = await client.post(goedkeuren, headers=token(issuer, "goedkeurder", "chef-1"))
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "goedgekeurd" and response.json()["geldigTot"]
        assert (
            await client.post(goedkeuren, headers=token(issuer, "goedkeurder", "chef-2"))
        ).status_code == 409

        # A colleague of the requester cannot use the approval.
        response = await client.get(identiteit_url, headers=token(issuer, "partner", "agent-2"))
        assert response.status_code == 403 and "Jansen" not in response.text

        response = await client.get(identiteit_url, headers=aanvrager)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["bsn"] == "111222333" and body["naam"] == "Jan Jansen"
        assert body["geboortedatum"] == "2001-05-04" and body["telefoon"] == "0612345678"
        assert body["adres"] is None

        assert await acties(client, issuer) == [
            ("verstrekking", None),
            ("identiteitsverzoek", None),
            ("weigering", "niet_goedgekeurd"),
            ("weigering", "eigen_verzoek"),
            ("goedkeuring", None),
            ("weigering", "niet_de_aanvrager"),
            ("ontzegeling", None),
        ]


async def test_identity_is_refused_where_the_policy_does_not_allow_it(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(partners=["kmar"], betrokkenen=[PERSOON])
    async with gateway() as client:
        casus = await referentie_van(client, token(issuer, "partner", "k-1", "kmar"), casus)
        response = await client.get(
            f"/v1/casussen/{casus}",
            params={"doel": "casusoverleg"},
            headers=token(issuer, "partner", "k-1", "kmar"),
        )
        ref = response.json()["betrokkenen"][0]["referentie"]
        response = await client.post(
            f"/v1/casussen/{casus}/identiteitsverzoeken",
            json={"betrokkene": ref, "doel": "casusoverleg", "reden": REDEN},
            headers=token(issuer, "partner", "k-1", "kmar"),
        )
        assert response.status_code == 403 and response.json()["reden"] == "niet_in_regel"
        assert ("weigering", "niet_in_regel") in await acties(client, issuer)


async def test_request_validation(gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any) -> None:
    casus = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON, {"rol": "overig"}])
    aanvrager = token(issuer, "partner", "agent-1")
    async with gateway() as client:
        casus = await referentie_van(client, aanvrager, casus)
        ref = await referentie(client, issuer, casus)
        url = f"/v1/casussen/{casus}/identiteitsverzoeken"
        kort = await client.post(
            url, json={"betrokkene": ref, "doel": "casusoverleg", "reden": "te kort"}, headers=aanvrager
        )
        assert kort.status_code == 400 and kort.json()["invalidParams"][0]["name"] == "reden"
        onbekend = await client.post(
            url, json={"betrokkene": "ab" * 32, "doel": "casusoverleg", "reden": REDEN}, headers=aanvrager
        )
        assert onbekend.status_code == 404
        # A betrokkene without identifying data has nothing to unseal.
        response = await client.get(
            f"/v1/casussen/{casus}", params={"doel": "casusoverleg"}, headers=aanvrager
        )
        [leeg] = [b["referentie"] for b in response.json()["betrokkenen"] if b["rol"] == "overig"]
        geen = await client.post(
            url, json={"betrokkene": leeg, "doel": "casusoverleg", "reden": REDEN}, headers=aanvrager
        )
        assert geen.status_code == 409


async def test_expired_approval_and_tampered_blob_disclose_nothing(
    gateway: Any, intake: Any, issuer: DevIssuer, sql: Any, referentie_van: Any
) -> None:
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    aanvrager = token(issuer, "partner", "agent-1")
    async with gateway() as client:
        casus = await referentie_van(client, aanvrager, intern)
        ref = await referentie(client, issuer, casus)
        verzoek = (
            await client.post(
                f"/v1/casussen/{casus}/identiteitsverzoeken",
                json={"betrokkene": ref, "doel": "casusoverleg", "reden": REDEN},
                headers=aanvrager,
            )
        ).json()
        await client.post(
            f"/v1/identiteitsverzoeken/{verzoek['id']}/goedkeuringen",
            headers=token(issuer, "goedkeurder", "chef-1"),
        )
        url = f"/v1/identiteitsverzoeken/{verzoek['id']}/identiteit"

        # A blob moved to another betrokkene does not open (context binding): 502, nothing disclosed.
        betrokkene = intake.casussen[intern]["betrokkenen"][0]
        origineel = betrokkene["identiteitVerzegeld"]
        ander = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
        betrokkene["identiteitVerzegeld"] = intake.casussen[ander]["betrokkenen"][0]["identiteitVerzegeld"]
        response = await client.get(url, headers=aanvrager)
        assert response.status_code == 502 and "Jansen" not in response.text
        betrokkene["identiteitVerzegeld"] = origineel

        await sql("UPDATE identiteitsverzoeken SET geldig_tot = '2026-01-01 00:00:00+00:00'")
        response = await client.get(url, headers=aanvrager)
        assert response.status_code == 403 and "Jansen" not in response.text
        assert [a for a in await acties(client, issuer) if a[0] == "weigering"] == [
            ("weigering", "ontzegeling_mislukt"),
            ("weigering", "goedkeuring_verlopen"),
        ]
