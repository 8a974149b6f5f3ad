"""A partner's subscriptions through the gateway (the organisation from the token, never from the body; another
partner's are 404), and the notification of an identity request waiting for approval: kind and ids only."""

from __future__ import annotations

from typing import Any

from meldroute_common.devissuer import DevIssuer

from .test_identiteitsverzoeken import NOOIT, PERSOON, POLITIE, REDEN_VERZOEK, Politie

RIEC = "riec-oost-nederland"
BODY = {
    "soorten": ["traject.geopend", "goedkeuring.wacht"],
    "kanaal": "webhook",
    "url": "https://8.8.8.8/hook",
}


def _partner(issuer: DevIssuer, organisatie: str, rol: str = "partner") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {issuer.mint(rol=rol, organisatie=organisatie, sub=f'{organisatie}-1')}"
    }


async def test_a_partner_manages_its_own_subscriptions_only(
    gateway: Any, intake: Any, issuer: DevIssuer
) -> None:
    riec, politie = _partner(issuer, RIEC), _partner(issuer, POLITIE)
    async with gateway() as client:
        antwoord = await client.post("/v1/abonnementen", json=BODY, headers=riec)
        assert antwoord.status_code == 201, antwoord.text
        nieuw = antwoord.json()
        assert nieuw["organisatie"] == RIEC and nieuw["geheim"] == "geheim-eenmalig"
        [doorgegeven] = list(intake.abonnementen.values())
        assert doorgegeven["organisatie"] == RIEC
        # The organisation is the token's: a body naming one is refused as an unknown field.
        vals = await client.post("/v1/abonnementen", json={**BODY, "organisatie": POLITIE}, headers=riec)
        assert vals.status_code == 400 and len(intake.abonnementen) == 1
        assert (await client.get("/v1/abonnementen", headers=politie)).json() == {"abonnementen": []}
        lijst = (await client.get("/v1/abonnementen", headers=riec)).json()["abonnementen"]
        assert [a["id"] for a in lijst] == [nieuw["id"]] and "geheim" not in lijst[0]
        assert (await client.delete(f"/v1/abonnementen/{nieuw['id']}", headers=politie)).status_code == 404
        # The approver role manages none (no scope), nor a municipality's token.
        assert (
            await client.get("/v1/abonnementen", headers=_partner(issuer, RIEC, "goedkeurder"))
        ).status_code == 403
        assert (await client.delete(f"/v1/abonnementen/{nieuw['id']}", headers=riec)).status_code == 204
        assert intake.abonnementen == {}


async def test_an_identity_request_tells_the_organisation_something_waits(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    async with gateway() as client:
        await Politie(client, issuer, referentie_van).vraag(intern)
    assert intake.meldingen == [
        {"soort": "goedkeuring.wacht", "organisaties": [POLITIE], "signaalId": intern}
    ]
    verzonden = str(intake.meldingen)
    assert all(v not in verzonden for v in (*NOOIT, REDEN_VERZOEK))
