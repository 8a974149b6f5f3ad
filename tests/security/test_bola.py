"""Broken object level authorisation, against the running services.

intake-api: a signal of GM1509, and an escalated one with its track, victim, consent and a partner's request,
read and written through every operation with an id (each write with a body its owner could send) by the
attention officers of every other municipality in the catalogue (and by a token naming none) → 403/404 and
never any of its data; the melder's status for anyone but the melder who recorded it → 404.
privacy-gateway: a case escalated to riec-oost-nederland and politie-oost-nederland, asked for by every other
partner in the policy through every operation that takes a case id, under either owner's reference and under
intake's id → 404; one owner using the other owner's reference → 404 (references are per partner); an identity
request of one partner used by every other partner → 404, before and after its approval; an advice question
the same way as a case; the dry-run of a signal by every other municipality → 404. Every matrix has its
positive control: the owner gets what the others may not.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from meldroute_common.roles import ROLLEN
from privacy_gateway.pseudoniemen import partner_adviesvraag_referentie, partner_casus_referentie

if TYPE_CHECKING:
    from tests.security.conftest import Api, Operatie

GEMEENTE = "GM1509"
EIGENAREN = ("riec-oost-nederland", "politie-oost-nederland")
DOEL = "casusoverleg"
PROBLEEM_VELDEN = {"type", "title", "status", "detail", "instance", "invalidParams"}
#: Path parameters the matrices know how to fill; an operation with another one fails until it is added.
INTAKE_IDS = {
    "signaalId",
    "trajectId",
    "verzoekId",
    "betrokkeneId",
    "toestemmingId",
    "adviesvraagId",
    "abonnementId",
}
#: Subscriptions belong to a municipality, not to a signal: their own matrix below.
ABONNEMENT_IDS = {"abonnementId"}
GATEWAY_IDS = {"casusId", "verzoekId", "adviesvraagId", "abonnementId"}
#: A decision the owner could make on the fresh signal right now: the write others try must be a real one.
BEOORDELING = {"status": "in_behandeling", "toelichting": "Eerste beoordeling.", "versie": 1}
REDEN = "Afstemming van opvang en veiligheid in het casusoverleg van deze week."
VANDAAG = datetime.now(UTC).date().isoformat()
#: Operations on a case's objects (tracks, consent, requests): asked for on the escalated signal, each with a
#: body its owner could send right now, so a refusal is the object check and not a check on the body.
CASUS_BODIES: dict[str, dict[str, Any]] = {
    "trajectOpenen": {
        "doel": "zorg_en_opvang",
        "partners": ["zorgcoordinatie-noord-oost-gelderland"],
        "toelichting": "Opvang regelen.",
    },
    "trajectPartnerToevoegen": {"partner": "openbaar-ministerie", "toelichting": "Het OM sluit aan."},
    "toestemmingVastleggen": {"gegeven": True, "datum": VANDAAG, "vastlegging": "mondeling_vastgelegd"},
    "toestemmingIntrekken": {"datum": VANDAAG, "toelichting": "Het slachtoffer trekt in."},
    "doelverzoekBesluiten": {"toegekend": True, "toelichting": "Opsporing is aangewezen."},
    "trajectAantekeningVastleggen": {"tekst": "Overleg donderdag."},
    "trajectAfronden": {"toelichting": "Afgerond."},  # last: the owner closes the track it opened
}
#: Operations on a signal before escalation, with a body its owner could send (advice needs in_behandeling:
#: the owner's control runs after the decision below).
SIGNAAL_BODIES: dict[str, dict[str, Any]] = {
    "adviesVragen": {"vraag": "Wijst dit op arbeidsuitbuiting?", "experts": ["riec-oost-nederland"]},
    "toewijzingVastleggen": {"toegewezenAan": "bola-af"},
    "aanvullingVastleggen": {"indicatoren": ["geen-eigen-identiteitspapieren"]},
    "aantekeningVastleggen": {"tekst": "Werkgever gebeld."},
}


@dataclass(frozen=True)
class Gegevens:
    signaal_id: str  # a signal of GM1509 in its first state
    casus_id: str  # a signal of GM1509 escalated to EIGENAREN (intake's id)
    casus_pad: dict[str, str]  # the case's objects: its track, its victim, their consent, a partner's request
    referenties: dict[str, str]  # the case as each of EIGENAREN knows it
    referentie: str  # the betrokkene of the case as riec-oost-nederland sees it
    verzoek_id: str  # an identity request of riec-oost-nederland, not yet approved
    aanvrager: str  # its requester's sub
    naam: str  # the identifying name in the signal: must never reach anyone else
    adviesvraag_id: str  # an advice question to EIGENAREN on a third signal (intake's id)
    adviesreferenties: dict[str, str]  # the question as each of EIGENAREN knows it


def _ok(antwoord: httpx.Response, *statussen: int) -> dict[str, Any]:
    assert antwoord.status_code in statussen, (
        f"{antwoord.request.url}: {antwoord.status_code} {antwoord.text}"
    )
    body: dict[str, Any] = antwoord.json()
    return body


def _zoek_in_lijst(api: Api, token: str, referentie: str) -> bool:
    """Whether the partner's list shows the reference (every page): that is how a partner learns it."""
    query: dict[str, str | int] = {"pageSize": 100}
    while True:
        pagina = _ok(api.verzoek(api.operatie("casussenOpvragen"), token=token, query=query), 200)
        if any(c["id"] == referentie for c in pagina["casussen"]):
            return True
        if pagina["volgende"] is None:
            return False
        query["cursor"] = pagina["volgende"]


@pytest.fixture(scope="module")
def gegevens(api: Api, local_dir: Path) -> Iterator[Gegevens]:
    melder = api.token("melder", gemeente=GEMEENTE, organisatie=None, sub="bola-melder")
    af = api.token("aandachtsfunctionaris", gemeente=GEMEENTE, organisatie=None, sub="bola-af")
    aanmaken, beoordelen = api.operatie("signaalAanmaken"), api.operatie("beoordelingVastleggen")
    voorbeeld = aanmaken.body_voorbeeld
    assert voorbeeld["gemeenteCode"] == GEMEENTE and voorbeeld["betrokkenen"][0]["naam"]
    signaal = _ok(api.verzoek(aanmaken, token=melder), 201)
    casus = _ok(api.verzoek(aanmaken, token=melder), 201)
    pad = {"signaalId": casus["id"]}
    _ok(api.verzoek(beoordelen, token=af, pad=pad, body={**BEOORDELING, "versie": 1}), 200)
    opschaling = {
        "status": "opgeschaald",
        "toelichting": "Opschalen.",
        "partners": list(EIGENAREN),
        "doel": DOEL,
    }
    opgeschaald = _ok(api.verzoek(beoordelen, token=af, pad=pad, body={**opschaling, "versie": 2}), 200)
    slachtoffer = opgeschaald["betrokkenen"][0]["id"]
    toestemming = _ok(
        api.verzoek(
            api.operatie("toestemmingVastleggen"), token=af, pad={**pad, "betrokkeneId": slachtoffer},
            body={"gegeven": True, "datum": VANDAAG, "vastlegging": "schriftelijk"},
        ),
        201,
    )  # fmt: skip
    doelverzoek = _ok(
        api.verzoek(
            api.operatie("internDoelverzoekIndienen"), token=api.token("privacy-gateway"), pad=pad,
            body={"partner": EIGENAREN[1], "door": "bola-politie", "doel": "strafrechtelijk_onderzoek", "reden": REDEN},
        ),
        201,
    )  # fmt: skip
    casus_pad = {
        "signaalId": casus["id"], "trajectId": opgeschaald["trajecten"][0]["id"], "betrokkeneId": slachtoffer,
        "toestemmingId": toestemming["id"], "verzoekId": doelverzoek["id"],
    }  # fmt: skip

    # Each owner's reference, computed with the gateway's development key: the lists must show exactly these.
    sleutel = bytes.fromhex((local_dir / "keys" / "gateway-pseudonym.key").read_text().strip())
    referenties = {
        p: str(partner_casus_referentie(sleutel=sleutel, partner_id=p, casus_id=uuid.UUID(casus["id"])))
        for p in EIGENAREN
    }
    riec = api.token("partner", dienst="privacy-gateway", organisatie=EIGENAREN[0], sub="bola-riec-aanvrager")
    assert _zoek_in_lijst(api, riec, referenties[EIGENAREN[0]])
    pad_riec = {"casusId": referenties[EIGENAREN[0]]}
    gedeeld = _ok(api.verzoek(api.operatie("casusOpvragen"), token=riec, pad=pad_riec), 200)
    referentie = gedeeld["betrokkenen"][0]["referentie"]
    verzoek = _ok(
        api.verzoek(
            api.operatie("identiteitsverzoekIndienen"), token=riec, pad=pad_riec,
            body={"betrokkene": referentie, "doel": DOEL, "reden": REDEN},
        ),
        201,
    )  # fmt: skip
    # A third signal, in treatment, on which the attention officer asks both owners for advice.
    advies = _ok(api.verzoek(aanmaken, token=melder), 201)
    pad_advies = {"signaalId": advies["id"]}
    _ok(api.verzoek(beoordelen, token=af, pad=pad_advies, body={**BEOORDELING, "versie": 1}), 200)
    vraag = _ok(
        api.verzoek(
            api.operatie("adviesVragen"), token=af, pad=pad_advies,
            body={"vraag": "Wijst dit op uitbuiting?", "experts": list(EIGENAREN)},
        ),
        201,
    )  # fmt: skip
    adviesreferenties = {
        p: str(
            partner_adviesvraag_referentie(
                sleutel=sleutel, partner_id=p, adviesvraag_id=uuid.UUID(vraag["id"])
            )
        )
        for p in EIGENAREN
    }
    yield Gegevens(
        signaal_id=signaal["id"], casus_id=casus["id"], casus_pad=casus_pad, referenties=referenties,
        referentie=referentie,
        verzoek_id=verzoek["id"],
        aanvrager="bola-riec-aanvrager", naam=voorbeeld["betrokkenen"][0]["naam"],
        adviesvraag_id=vraag["id"], adviesreferenties=adviesreferenties,
    )  # fmt: skip


def _geweigerd(api: Api, antwoord: httpx.Response, statussen: tuple[int, ...], *geheimen: str) -> str | None:
    """None when the answer is a bare refusal with one of `statussen` revealing none of `geheimen`."""
    wie = f"{antwoord.request.method} {antwoord.request.url.path}"
    if antwoord.status_code not in statussen:
        return f"{wie}: {antwoord.status_code} {antwoord.text[:200]}"
    document = api.probleem(antwoord, *statussen)
    if set(document) - PROBLEEM_VELDEN:
        return f"{wie}: the refusal says more than a problem does: {sorted(set(document) - PROBLEEM_VELDEN)}"
    if any(geheim in antwoord.text for geheim in geheimen):
        return f"{wie}: the refusal shows data of the object"
    return None


def _rol_voor(operatie: Operatie, claim: str) -> str:
    """A role of the given kind (`gemeente` or `organisatie` users) whose scopes cover the operation."""
    rollen = [n for n, r in ROLLEN.items() if r.claim == claim and operatie.toegestaan_voor(r)]
    assert rollen, f"{operatie}: no {claim} role may call it"
    return rollen[0]


def _met_id(operaties: list[Operatie], bekend: set[str]) -> list[Operatie]:
    resultaat = [o for o in operaties if o.pad_parameters]
    for operatie in resultaat:
        onbekend = set(operatie.pad_parameters) - bekend
        assert not onbekend, f"{operatie}: add {sorted(onbekend)} to the BOLA matrix"
    return resultaat


def _lijsten(api: Api, dienst: str, claim: str) -> list[Operatie]:
    """The reads without an id that users of this kind may call: they must not list others' objects."""
    return [
        o for o in api.operaties
        if o.dienst == dienst and o.methode == "GET" and not o.pad_parameters
        and any(r.claim == claim and o.toegestaan_voor(r) for r in ROLLEN.values())
    ]  # fmt: skip


def _page(operatie: Operatie) -> dict[str, str | int]:
    return {"pageSize": 100} if "pageSize" in operatie.query_parameters else {}


def test_intake_signal_is_invisible_and_untouchable_for_other_municipalities(
    api: Api, gegevens: Gegevens
) -> None:
    catalogus = _ok(api.verzoek(api.operatie("catalogusOphalen"), token=api.token("melder")), 200)
    anderen: list[str | None] = [g["code"] for g in catalogus["gemeenten"] if g["code"] != GEMEENTE]
    assert len(anderen) >= 7, anderen
    anderen.append(None)  # a token that names no municipality at all
    operaties = _met_id([o for o in api.operaties if o.dienst == "intake-api"], INTAKE_IDS)
    operaties = [
        o for o in operaties
        if any(r.claim == "gemeente" and o.toegestaan_voor(r) for r in ROLLEN.values())
        and not ABONNEMENT_IDS & set(o.pad_parameters)
    ]  # fmt: skip
    assert operaties, "intake-api documents no municipal operation with an id"
    bekend = {"signaalId"} | {
        p for o in operaties if o.operation_id in CASUS_BODIES for p in o.pad_parameters
    }
    for operatie in operaties:
        assert operatie.methode == "GET" or operatie.operation_id in CASUS_BODIES | SIGNAAL_BODIES | {
            "beoordelingVastleggen": {}
        }, f"{operatie}: give it a body its owner could send in CASUS_BODIES or SIGNAAL_BODIES"
        assert set(operatie.pad_parameters) <= bekend, operatie

    def pad_van(operatie: Operatie) -> dict[str, str]:
        # A read of one of the case's objects (a track's notes) is asked for on the case, like its writes.
        if operatie.operation_id in CASUS_BODIES or set(operatie.pad_parameters) > {"signaalId"}:
            return dict(gegevens.casus_pad)
        return {"signaalId": gegevens.signaal_id}

    def lees_pad(operatie: Operatie, p: str) -> dict[str, str]:
        return dict(gegevens.casus_pad) if set(operatie.pad_parameters) > {"signaalId"} else {"signaalId": p}

    def lees_ids(operatie: Operatie) -> tuple[str, ...]:
        # Only the case has tracks: a read below one is asked for there alone.
        if set(operatie.pad_parameters) > {"signaalId"}:
            return (gegevens.casus_id,)
        return (gegevens.signaal_id, gegevens.casus_id)

    def body_van(operatie: Operatie) -> Any:
        return (
            CASUS_BODIES.get(operatie.operation_id)
            or SIGNAAL_BODIES.get(operatie.operation_id)
            or BEOORDELING
        )

    eigen = api.token("aandachtsfunctionaris", gemeente=GEMEENTE, organisatie=None, sub="bola-af")
    melder = api.token("melder", gemeente=GEMEENTE, organisatie=None, sub="bola-melder")

    def eigenaar(operatie: Operatie) -> str:
        # The melder's status is the recording melder's only; everything else the attention officer's.
        return melder if operatie.operation_id == "signaalStatusVoorMelder" else eigen

    lezingen = [o for o in operaties if o.methode == "GET"]
    voor = {
        (o.operation_id, p): _ok(api.verzoek(o, token=eigenaar(o), pad=lees_pad(o, p)), 200)
        for o in lezingen
        for p in lees_ids(o)
    }
    assert all(p in str(body) or "status" in body for (_, p), body in voor.items())

    fouten = []
    for gemeente in anderen:
        for operatie in operaties:
            token = api.token(
                _rol_voor(operatie, "gemeente"), gemeente=gemeente, organisatie=None, sub=f"bola-{gemeente}"
            )
            pad = pad_van(operatie)
            bodies = [None] if operatie.methode == "GET" else [None, body_van(operatie)]
            for body in bodies:
                antwoord = api.verzoek(operatie, token=token, pad=pad, body=body)
                fouten.append(_geweigerd(api, antwoord, (403, 404), *pad.values()))
            if operatie.methode == "GET":
                antwoord = api.verzoek(operatie, token=token, pad=lees_pad(operatie, gegevens.casus_id))
                fouten.append(_geweigerd(api, antwoord, (403, 404), gegevens.casus_id))
        for lijst in _lijsten(api, "intake-api", "gemeente"):
            token = api.token(_rol_voor(lijst, "gemeente"), gemeente=gemeente, organisatie=None)
            antwoord = api.verzoek(lijst, token=token, query=_page(lijst))
            if antwoord.status_code != 200 or gegevens.signaal_id in antwoord.text:
                fouten.append(f"{lijst} for {gemeente}: {antwoord.status_code}, lists the signal or fails")
    # The melder's status: another melder of the same municipality is as much a stranger.
    status = api.operatie("signaalStatusVoorMelder")
    for sub in ("bola-melder-2", "bola-af"):
        token = api.token("melder", gemeente=GEMEENTE, organisatie=None, sub=sub)
        fouten.append(
            _geweigerd(api, api.verzoek(status, token=token, pad={"signaalId": gegevens.signaal_id}), (404,))
        )
    assert not [f for f in fouten if f], "\n".join(f for f in fouten if f)

    # Nothing changed: the owner sees the same signal, case and history, and can do what others could not.
    for (operation_id, p), body in voor.items():
        operatie = api.operatie(operation_id)
        assert _ok(api.verzoek(operatie, token=eigenaar(operatie), pad=lees_pad(operatie, p)), 200) == body
    beoordelen = api.operatie("beoordelingVastleggen")
    assert (
        _ok(
            api.verzoek(beoordelen, token=eigen, pad={"signaalId": gegevens.signaal_id}, body=BEOORDELING),
            200,
        )["versie"]
        == 2
    )
    for operation_id, body in SIGNAAL_BODIES.items():
        _ok(
            api.verzoek(
                api.operatie(operation_id), token=eigen, pad={"signaalId": gegevens.signaal_id}, body=body
            ),
            200,
            201,
        )
    geopend: dict[str, Any] = {}
    for operation_id, body in CASUS_BODIES.items():
        pad = dict(gegevens.casus_pad)
        if operation_id == "trajectAfronden":
            # The owner closes the track it just opened: the case's first track stays open for the gateway
            # matrices below, which need the owners to read the case.
            pad["trajectId"] = geopend["id"]
        antwoord = _ok(api.verzoek(api.operatie(operation_id), token=eigen, pad=pad, body=body), 200, 201)
        if operation_id == "trajectOpenen":
            geopend = antwoord


def _partners_anders_dan(api: Api, *eigenaren: str) -> list[str]:
    beleid = _ok(
        api.verzoek(api.operatie("beleidOphalen"), token=api.token("partner", dienst="privacy-gateway")), 200
    )
    partners = [p["id"] for p in beleid["partners"] if p["id"] not in eigenaren]
    assert len(partners) >= 5, partners
    return partners


def test_gateway_case_is_404_for_every_partner_it_was_not_escalated_to(api: Api, gegevens: Gegevens) -> None:
    gateway = [o for o in api.operaties if o.dienst == "privacy-gateway"]
    casus_ops = [o for o in _met_id(gateway, GATEWAY_IDS) if "casusId" in o.pad_parameters]
    # An operation taking the case id in its body belongs in the matrix too.
    casus_ops += [o for o in gateway if isinstance(o.body_voorbeeld, dict) and "casusId" in o.body_voorbeeld]
    assert casus_ops, "privacy-gateway documents no operation on a case"
    alle_ids = (gegevens.casus_id, *gegevens.referenties.values())

    def body(operatie: Operatie, casus_id: str) -> Any:
        if not operatie.heeft_body:
            return None
        waarden = {"casusId": casus_id, "doel": DOEL, "betrokkene": gegevens.referentie, "reden": REDEN}
        return {k: waarden.get(k, v) for k, v in operatie.body_voorbeeld.items()}

    for (
        eigenaar
    ) in EIGENAREN:  # the control: the partners it was escalated to do get it, under their own reference
        token = api.token("partner", dienst="privacy-gateway", organisatie=eigenaar, gemeente=None)
        eigen = gegevens.referenties[eigenaar]
        assert _zoek_in_lijst(api, token, eigen)
        gedeeld = _ok(api.verzoek(api.operatie("casusOpvragen"), token=token, pad={"casusId": eigen}), 200)
        assert gedeeld["id"] == eigen

    def probeer(partner: str, casus_id: str) -> list[str | None]:
        fouten: list[str | None] = []
        for operatie in casus_ops:
            token = api.token(
                _rol_voor(operatie, "organisatie"), dienst="privacy-gateway", organisatie=partner, gemeente=None,
                sub=f"bola-{partner}",
            )  # fmt: skip
            antwoord = api.verzoek(
                operatie, token=token, pad={"casusId": casus_id}, body=body(operatie, casus_id)
            )
            fouten.append(_geweigerd(api, antwoord, (404,), *alle_ids, gegevens.naam))
        return fouten

    fouten: list[str | None] = []
    # Intake's id is nobody's reference, and one owner's reference is not the other owner's.
    for eigenaar in EIGENAREN:
        andere = next(p for p in EIGENAREN if p != eigenaar)
        fouten += probeer(eigenaar, gegevens.casus_id) + probeer(eigenaar, gegevens.referenties[andere])
    for partner in _partners_anders_dan(api, *EIGENAREN):
        for casus_id in alle_ids:
            fouten += probeer(partner, casus_id)
        for lijst in _lijsten(api, "privacy-gateway", "organisatie"):
            token = api.token(_rol_voor(lijst, "organisatie"), dienst="privacy-gateway", organisatie=partner)
            antwoord = api.verzoek(lijst, token=token, query=_page(lijst))
            if antwoord.status_code != 200 or any(i in antwoord.text for i in alle_ids):
                fouten.append(f"{lijst} for {partner}: {antwoord.status_code}, lists the case or fails")
    assert not [f for f in fouten if f], "\n".join(f for f in fouten if f)


def test_gateway_identity_request_of_one_partner_is_404_for_every_other(api: Api, gegevens: Gegevens) -> None:
    gateway = [o for o in api.operaties if o.dienst == "privacy-gateway"]
    verzoek_ops = [o for o in _met_id(gateway, GATEWAY_IDS) if "verzoekId" in o.pad_parameters]
    assert verzoek_ops, "privacy-gateway documents no operation on an identity request"
    pad = {"verzoekId": gegevens.verzoek_id}
    # Every other partner, including the other one the case was escalated to.
    anderen = _partners_anders_dan(api, EIGENAREN[0])

    def probeer() -> list[str]:
        fouten: list[str | None] = []
        for partner in anderen:
            for operatie in verzoek_ops:
                token = api.token(
                    _rol_voor(operatie, "organisatie"), dienst="privacy-gateway", organisatie=partner,
                    gemeente=None, sub=f"bola-{partner}",
                )  # fmt: skip
                antwoord = api.verzoek(operatie, token=token, pad=pad)
                fouten.append(_geweigerd(api, antwoord, (404,), gegevens.verzoek_id, gegevens.naam))
        return [f for f in fouten if f]

    fouten = probeer()
    eigen = {"dienst": "privacy-gateway", "organisatie": EIGENAREN[0], "gemeente": None}
    goedkeuring = api.verzoek(
        api.operatie("identiteitsverzoekGoedkeuren"), token=api.token("goedkeurder", sub="bola-riec-goedkeurder", **eigen), pad=pad
    )  # fmt: skip
    assert goedkeuring.status_code == 201, goedkeuring.text
    fouten += probeer()  # approved, the request would now unseal: still nobody else's
    assert not fouten, "\n".join(fouten)

    identiteit = _ok(
        api.verzoek(api.operatie("identiteitOphalen"), token=api.token("partner", sub=gegevens.aanvrager, **eigen), pad=pad),
        200,
    )  # fmt: skip
    assert identiteit["naam"] == gegevens.naam


def test_gateway_advice_question_is_404_for_every_partner_it_was_not_put_to(
    api: Api, gegevens: Gegevens
) -> None:
    """Every operation on an advice question, by every other partner under either expert's reference and under
    intake's id, and by one expert under the other's reference: 404. The control: each expert reads it."""
    gateway = [o for o in api.operaties if o.dienst == "privacy-gateway"]
    vraag_ops = [o for o in _met_id(gateway, GATEWAY_IDS) if "adviesvraagId" in o.pad_parameters]
    assert {o.methode for o in vraag_ops} == {"GET", "POST"}, [str(o) for o in vraag_ops]
    lijst = api.operatie("adviesvragenOpvragen")
    alle_ids = (gegevens.adviesvraag_id, *gegevens.adviesreferenties.values())
    for eigenaar in EIGENAREN:
        token = api.token("partner", dienst="privacy-gateway", organisatie=eigenaar, gemeente=None)
        eigen = gegevens.adviesreferenties[eigenaar]
        pagina = _ok(api.verzoek(lijst, token=token, query={"pageSize": 100}), 200)
        assert [v["id"] for v in pagina["adviesvragen"] if v["id"] == eigen] == [eigen]
        assert gegevens.adviesvraag_id not in str(pagina)
        gelezen = _ok(
            api.verzoek(api.operatie("adviesvraagOpvragen"), token=token, pad={"adviesvraagId": eigen}), 200
        )
        assert gelezen["id"] == eigen

    def probeer(partner: str, vraag_id: str) -> list[str | None]:
        fouten: list[str | None] = []
        for operatie in vraag_ops:
            token = api.token(
                _rol_voor(operatie, "organisatie"), dienst="privacy-gateway", organisatie=partner, gemeente=None,
                sub=f"bola-{partner}",
            )  # fmt: skip
            body = {"antwoord": "Ja, dit wijst op uitbuiting."} if operatie.heeft_body else None
            antwoord = api.verzoek(operatie, token=token, pad={"adviesvraagId": vraag_id}, body=body)
            fouten.append(_geweigerd(api, antwoord, (404,), *alle_ids))
        return fouten

    fouten: list[str | None] = []
    for eigenaar in EIGENAREN:
        andere = next(p for p in EIGENAREN if p != eigenaar)
        fouten += probeer(eigenaar, gegevens.adviesvraag_id) + probeer(
            eigenaar, gegevens.adviesreferenties[andere]
        )
    for partner in _partners_anders_dan(api, *EIGENAREN):
        for vraag_id in alle_ids:
            fouten += probeer(partner, vraag_id)
        token = api.token("partner", dienst="privacy-gateway", organisatie=partner)
        antwoord = api.verzoek(lijst, token=token, query={"pageSize": 100})
        if antwoord.status_code != 200 or any(i in antwoord.text for i in alle_ids):
            fouten.append(f"{lijst} for {partner}: {antwoord.status_code}, lists the question or fails")
    assert not [f for f in fouten if f], "\n".join(f for f in fouten if f)


def test_gateway_dry_run_of_a_signal_is_404_for_every_other_municipality(
    api: Api, gegevens: Gegevens
) -> None:
    """The attention officer's dry-run takes intake's signal id in its body: other municipalities (and a token
    naming none) get 404 or 403, never a decision; the owner gets the decisions."""
    toetsen = api.operatie("opschalingToetsen")
    body = {"signaalId": gegevens.signaal_id, "trajecten": [{"doel": DOEL, "partners": list(EIGENAREN)}]}
    eigen = api.token("aandachtsfunctionaris", dienst="privacy-gateway", gemeente=GEMEENTE, organisatie=None)
    uitkomsten = _ok(api.verzoek(toetsen, token=eigen, body=body), 200)["uitkomsten"]
    assert [u["partner"] for u in uitkomsten] == list(EIGENAREN)
    catalogus = _ok(api.verzoek(api.operatie("catalogusOphalen"), token=api.token("melder")), 200)
    anderen: list[str | None] = [g["code"] for g in catalogus["gemeenten"] if g["code"] != GEMEENTE]
    fouten: list[str | None] = []
    for gemeente in [*anderen, None]:
        token = api.token(
            "aandachtsfunctionaris", dienst="privacy-gateway", gemeente=gemeente, organisatie=None
        )
        statussen = (404,) if gemeente else (403,)
        fouten.append(
            _geweigerd(api, api.verzoek(toetsen, token=token, body=body), statussen, gegevens.signaal_id)
        )
    assert not [f for f in fouten if f], "\n".join(f for f in fouten if f)


def test_intake_subscription_is_invisible_and_untouchable_for_other_municipalities(api: Api) -> None:
    """A municipality's subscription (its webhook URL, its address) through every operation with its id, by the
    attention officers of every other municipality (and a token naming none) → 403/404, and absent from their
    list; the owner's control: it lists and removes it."""
    eigen = api.token("aandachtsfunctionaris", gemeente=GEMEENTE, organisatie=None, sub="bola-af")
    body = {"soorten": ["terugkoppeling.vastgelegd"], "kanaal": "webhook", "url": "https://8.8.8.8/bola-hook"}
    abonnement = _ok(api.verzoek(api.operatie("abonnementAanmaken"), token=eigen, body=body), 201)
    operaties = [
        o for o in api.operaties
        if o.dienst == "intake-api" and ABONNEMENT_IDS & set(o.pad_parameters)
        and any(r.claim == "gemeente" and o.toegestaan_voor(r) for r in ROLLEN.values())
    ]  # fmt: skip
    assert operaties, "intake-api documents no municipal operation on a subscription"
    catalogus = _ok(api.verzoek(api.operatie("catalogusOphalen"), token=api.token("melder")), 200)
    anderen: list[str | None] = [g["code"] for g in catalogus["gemeenten"] if g["code"] != GEMEENTE]
    fouten = []
    for gemeente in [*anderen, None]:
        token = api.token(
            "aandachtsfunctionaris", gemeente=gemeente, organisatie=None, sub=f"bola-{gemeente}"
        )
        for operatie in operaties:
            antwoord = api.verzoek(operatie, token=token, pad={"abonnementId": abonnement["id"]})
            fouten.append(_geweigerd(api, antwoord, (403, 404), abonnement["id"]))
        lijst = api.verzoek(api.operatie("abonnementenOpvragen"), token=token)
        if abonnement["id"] in lijst.text or "bola-hook" in lijst.text:
            fouten.append(f"abonnementenOpvragen for {gemeente} lists the subscription")
    assert not [f for f in fouten if f], "\n".join(f for f in fouten if f)
    lijst = _ok(api.verzoek(api.operatie("abonnementenOpvragen"), token=eigen), 200)
    assert abonnement["id"] in [a["id"] for a in lijst["abonnementen"]]
    for operatie in operaties:
        assert api.verzoek(operatie, token=eigen, pad={"abonnementId": abonnement["id"]}).status_code == 204


def test_gateway_subscription_is_404_for_every_other_partner(api: Api) -> None:
    """A partner's subscription through every gateway operation with its id, by every other partner in the
    policy → 404, and absent from their list; the owner's control: it lists and removes it."""
    eigen = api.token("partner", organisatie=EIGENAREN[0], sub="bola-riec")
    body = {"soorten": ["traject.geopend"], "kanaal": "webhook", "url": "https://8.8.8.8/bola-partner-hook"}
    abonnement = _ok(api.verzoek(api.operatie("partnerAbonnementAanmaken"), token=eigen, body=body), 201)
    gateway = [o for o in api.operaties if o.dienst == "privacy-gateway"]
    operaties = [o for o in _met_id(gateway, GATEWAY_IDS) if ABONNEMENT_IDS & set(o.pad_parameters)]
    assert operaties, "privacy-gateway documents no operation on a subscription"
    fouten = []
    for partner in _partners_anders_dan(api, EIGENAREN[0]):
        token = api.token("partner", organisatie=partner, sub=f"bola-{partner}")
        for operatie in operaties:
            antwoord = api.verzoek(operatie, token=token, pad={"abonnementId": abonnement["id"]})
            fouten.append(_geweigerd(api, antwoord, (404,), abonnement["id"]))
        lijst = api.verzoek(api.operatie("partnerAbonnementenOpvragen"), token=token)
        if lijst.status_code != 200 or abonnement["id"] in lijst.text or "bola-partner-hook" in lijst.text:
            fouten.append(f"partnerAbonnementenOpvragen for {partner}: {lijst.status_code} or lists it")
    assert not [f for f in fouten if f], "\n".join(f for f in fouten if f)
    lijst = _ok(api.verzoek(api.operatie("partnerAbonnementenOpvragen"), token=eigen), 200)
    assert abonnement["id"] in [a["id"] for a in lijst["abonnementen"]]
    for operatie in operaties:
        assert api.verzoek(operatie, token=eigen, pad={"abonnementId": abonnement["id"]}).status_code == 204
