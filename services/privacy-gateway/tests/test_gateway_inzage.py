"""Access requests: the FG finds every disclosure about one person, by BSN or by name and birth date."""

from __future__ import annotations

from typing import Any

from meldroute_common.devissuer import DevIssuer

RIEC = "riec-oost-nederland"
BELASTING = "belastingdienst"


def partner(issuer: DevIssuer, organisatie: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie=organisatie)}"}


def fg(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='fg')}"}


async def test_access_request_lists_who_received_what(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    jan = {"rol": "slachtoffer", "bsn": "111222333"}
    piet = {"rol": "slachtoffer", "naam": "Piet Pieters", "geboortedatum": "1990-02-03"}
    gedeeld = intake.casus(partners=[RIEC, BELASTING], betrokkenen=[jan, piet])
    alleen_piet = intake.casus(partners=[RIEC], betrokkenen=[piet])
    async with gateway() as client:
        referenties = {}
        for casus, wie in ((gedeeld, RIEC), (gedeeld, BELASTING), (alleen_piet, RIEC)):
            referenties[casus, wie] = ref = await referentie_van(client, partner(issuer, wie), casus)
            response = await client.get(
                f"/v1/casussen/{ref}", params={"doel": "casusoverleg"}, headers=partner(issuer, wie)
            )
            assert response.status_code == 200, response.text
        # A denial is not a disclosure.
        await client.get(
            f"/v1/casussen/{referenties[gedeeld, RIEC]}",
            params={"doel": "casusoverleg"},
            headers=partner(issuer, "kmar"),
        )

        response = await client.post("/v1/inzageverzoeken", json={"bsn": "111222333"}, headers=fg(issuer))
        assert response.status_code == 200, response.text
        assert "111222333" not in response.text
        ontvangsten = response.json()["ontvangsten"]
        assert [(o["afnemer"], o["casusId"], o["categorieen"]) for o in ontvangsten] == [
            (RIEC, gedeeld, ["gekoppelde_signalen", "kenmerken", "kern", "omschrijving", "pseudoniem"]),
            (BELASTING, gedeeld, ["kenmerken", "kern"]),
        ]
        # The FG can tell the person under which reference each partner knows the case.
        assert [o["casusReferentie"] for o in ontvangsten] == [
            referenties[gedeeld, RIEC],
            referenties[gedeeld, BELASTING],
        ]
        assert all(o["doel"] == "casusoverleg" and o["grondslag"] and o["tijdstip"] for o in ontvangsten)

        response = await client.post(
            "/v1/inzageverzoeken",
            json={"naam": "Piet Pieters", "geboortedatum": "1990-02-03"},
            headers=fg(issuer),
        )
        assert [(o["afnemer"], o["casusId"]) for o in response.json()["ontvangsten"]] == [
            (RIEC, gedeeld),
            (BELASTING, gedeeld),
            (RIEC, alleen_piet),
        ]
        onbekend = await client.post("/v1/inzageverzoeken", json={"bsn": "999999990"}, headers=fg(issuer))
        assert onbekend.json()["ontvangsten"] == []

        # The lookup went through intake (which holds the link key); the log keeps its own pseudonym only.
        assert intake.verzoeken[-1].url.path == "/v1/intern/pseudoniemen"
        log = (await client.get("/v1/verwerkingen", params={"actie": "inzage"}, headers=fg(issuer))).json()
        assert len(log["verwerkingen"]) == 3
        assert intake.link(bsn="111222333") not in str(log)


async def test_access_request_input_is_validated_and_never_echoed(gateway: Any, issuer: DevIssuer) -> None:
    async with gateway() as client:
        for body in (
            {},
            {"naam": "Piet Pieters"},
            {"bsn": "111222333", "naam": "Piet Pieters", "geboortedatum": "1990-02-03"},
        ):
            response = await client.post("/v1/inzageverzoeken", json=body, headers=fg(issuer))
            assert response.status_code == 400, response.text
            assert "Pieters" not in response.text and "111222333" not in response.text
        response = await client.post("/v1/inzageverzoeken", json={"bsn": "12345678a"}, headers=fg(issuer))
        assert response.status_code == 400 and "12345678a" not in response.text


async def test_access_request_by_bsn_and_by_name_find_the_same_disclosures(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    op_bsn = intake.casus(partners=[RIEC], betrokkenen=[{"rol": "slachtoffer", "bsn": "123456782"}])
    op_naam = intake.casus(
        partners=[RIEC],
        betrokkenen=[{"rol": "slachtoffer", "naam": "Canarius Zwartveld", "geboortedatum": "1990-02-03"}],
    )
    # Intake saw this person once with both (another signal): one person, two pseudonyms.
    intake.personen.append(
        {intake.link(bsn="123456782"), intake.link(naam="Canarius Zwartveld", geboortedatum="1990-02-03")}
    )
    async with gateway() as client:
        for casus in (op_bsn, op_naam):
            referentie = await referentie_van(client, partner(issuer, RIEC), casus)
            response = await client.get(
                f"/v1/casussen/{referentie}", params={"doel": "casusoverleg"}, headers=partner(issuer, RIEC)
            )
            assert response.status_code == 200, response.text
        gevonden = []
        for body in ({"bsn": "123456782"}, {"naam": "Canarius Zwartveld", "geboortedatum": "1990-02-03"}):
            response = await client.post("/v1/inzageverzoeken", json=body, headers=fg(issuer))
            assert response.status_code == 200, response.text
            gevonden.append(sorted(o["casusId"] for o in response.json()["ontvangsten"]))
        assert gevonden[0] == gevonden[1] == sorted([op_bsn, op_naam])
