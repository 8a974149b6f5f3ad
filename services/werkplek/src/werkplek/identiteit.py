"""Identity with four eyes: the requester's own requests (withdraw, and the identity once approved) and the
approver's queue of the own organisation's waiting requests (approve, or reject with a reason).

The gateway decides who sees which request (`GET /v1/identiteitsverzoeken`: an approver the others' waiting
ones, a requester the own ones) and refuses approving one's own. A request is found by its opaque id; the
identity page is the only one showing identifying data, never in its title or URL, and never cached.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from meldroute_common.problems import Forbidden, NotFound

from werkplek.dienst import DienstFout, Ongeldig
from werkplek.paginas import datum, pagina
from werkplek.partner import catalogus, doel_label, gateway
from werkplek.sessies import Sessie
from werkplek.web import _ingelogd, _ingelogd_formulier, geldige_id

router = APIRouter(include_in_schema=False)

STATUSSEN = {
    "aangevraagd": "Wacht op goedkeuring",
    "goedgekeurd": "Goedgekeurd",
    "afgewezen": "Afgewezen",
    "ingetrokken": "Ingetrokken",
    "verlopen": "Verlopen",
}
GELUKT = {
    "aangevraagd": "Het verzoek is ingediend. Het wacht op de goedkeuring van een tweede persoon.",
    "goedgekeurd": "Het verzoek is goedgekeurd. De aanvrager kan de identiteit nu inzien.",
    "afgewezen": "Het verzoek is afgewezen; de aanvrager ziet uw reden.",
    "ingetrokken": "Het verzoek is ingetrokken.",
}
IDENTITEITSVELDEN = (
    ("naam", "Naam"),
    ("bsn", "BSN"),
    ("geboortedatum", "Geboortedatum"),
    ("geslacht", "Geslacht"),
    ("nationaliteit", "Nationaliteit"),
    ("adres", "Adres"),
    ("telefoon", "Telefoon"),
)


async def _sessie(request: Request) -> Sessie:
    sessie = await _ingelogd(request)
    if not (sessie.mag("identiteit:verzoeken") or sessie.mag("identiteit:goedkeuren")):
        raise Forbidden("Uw rol mag dit scherm niet gebruiken.")
    return sessie


def _regel(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": v["id"],
        "casus_id": v["casusId"],
        "doel": v["doel"],
        "doel_label": doel_label(v["doel"]),
        "aanvrager": v["aanvrager"],
        "status": v["status"],
        "status_label": STATUSSEN.get(v["status"], v["status"]),
        "aangevraagd": datum(v.get("aangevraagdOp")),
        "verloopt": datum(v.get("verlooptOp")),
        "goedgekeurd": datum(v.get("goedgekeurdOp")),
        "geldig_tot": datum(v.get("geldigTot")),
        "afgewezen": datum(v.get("afgewezenOp")),
        "afwijzingsreden": v.get("afwijzingsreden") or "",
        "ingetrokken": datum(v.get("ingetrokkenOp")),
    }


async def _lijst(
    request: Request, sessie: Sessie, *, fouten: dict[str, list[str]] | None = None, detail: str = "",
    waarden: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    verzoeken: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(10):  # at most 1000 requests: the organisation's open work, not an archive
        antwoord = await gateway(request).identiteitsverzoeken(sessie=sessie, cursor=cursor)
        verzoeken += [_regel(v) for v in antwoord["identiteitsverzoeken"]]
        cursor = antwoord.get("volgende")
        if not cursor:
            break
    # Waiting for this person's approval: someone else's (the gateway lists an approver only those).
    te_beoordelen = [
        v for v in verzoeken if sessie.mag("identiteit:goedkeuren") and v["aanvrager"] != sessie.sub
    ]
    eigen = [v for v in verzoeken if v["aanvrager"] == sessie.sub]
    return pagina(
        "identiteitsverzoeken.html",
        status_code=400 if fouten else 200,
        titel="Identiteitsverzoeken",
        sessie=sessie,
        te_beoordelen=te_beoordelen,
        eigen=eigen,
        fouten=fouten or {},
        detail=detail,
        waarden=waarden or {},
        labels=dict.fromkeys(fouten or {}, "Reden van de afwijzing"),
        gelukt=GELUKT.get(request.query_params.get("gelukt") or "", ""),
    )


@router.get("/identiteitsverzoeken")
async def identiteitsverzoeken(request: Request) -> Response:
    return await _lijst(request, await _sessie(request))


def _klaar(gelukt: str) -> RedirectResponse:
    return RedirectResponse(f"/identiteitsverzoeken?gelukt={gelukt}", status_code=303)


def _verzoekfout(sessie: Sessie, exc: DienstFout) -> Response:
    """The gateway's refusal of a step on a request: no longer waiting or not allowed (a page saying so), not
    found (404), anything else as the gateway's error."""
    if exc.status == 404:
        raise NotFound("Verzoek niet gevonden.") from None
    if exc.status not in (403, 409):
        raise exc
    titel = "Dit verzoek wacht niet meer" if exc.status == 409 else "Dit mag u niet doen"
    return pagina("fout.html", status_code=exc.status, titel=titel, uitleg=exc.detail, sessie=sessie)


@router.post("/identiteitsverzoeken/{verzoek_id}/goedkeuring")
async def goedkeuren(request: Request, verzoek_id: str) -> Response:
    sessie, _ = await _ingelogd_formulier(request, "identiteit:goedkeuren")
    try:
        await gateway(request).goedkeuren(sessie=sessie, verzoek_id=geldige_id(verzoek_id, "Verzoek"))
    except DienstFout as exc:
        return _verzoekfout(sessie, exc)
    return _klaar("goedgekeurd")


@router.post("/identiteitsverzoeken/{verzoek_id}/afwijzing")
async def afwijzen(request: Request, verzoek_id: str) -> Response:
    sessie, formulier = await _ingelogd_formulier(request, "identiteit:goedkeuren")
    verzoek_id = geldige_id(verzoek_id, "Verzoek")
    reden = formulier.get("reden")
    reden = reden.strip() if isinstance(reden, str) else ""
    try:
        await gateway(request).afwijzen(sessie=sessie, verzoek_id=verzoek_id, reden=reden)
    except Ongeldig as fout:
        # The field of this request's form: each waiting request has its own reason field.
        sleutel = f"reden-{verzoek_id}"
        fouten = {sleutel: [r for redenen in fout.velden.values() for r in redenen] or [fout.detail]}
        return await _lijst(request, sessie, fouten=fouten, detail=fout.detail, waarden={sleutel: reden})
    except DienstFout as exc:
        return _verzoekfout(sessie, exc)
    return _klaar("afgewezen")


@router.post("/identiteitsverzoeken/{verzoek_id}/intrekking")
async def intrekken(request: Request, verzoek_id: str) -> Response:
    sessie, _ = await _ingelogd_formulier(request, "identiteit:verzoeken")
    try:
        await gateway(request).intrekken(sessie=sessie, verzoek_id=geldige_id(verzoek_id, "Verzoek"))
    except DienstFout as exc:
        return _verzoekfout(sessie, exc)
    return _klaar("ingetrokken")


@router.get("/identiteitsverzoeken/{verzoek_id}/identiteit")
async def identiteit(request: Request, verzoek_id: str) -> Response:
    sessie = await _ingelogd(request, "identiteit:verzoeken")
    try:
        gegevens = await gateway(request).identiteit(
            sessie=sessie, verzoek_id=geldige_id(verzoek_id, "Verzoek")
        )
    except DienstFout as exc:
        return _verzoekfout(sessie, exc)
    geslachten = {i["code"]: i["label"] for i in catalogus()["geslachten"]}
    regels = []
    for veld, label in IDENTITEITSVELDEN:
        waarde = gegevens.get(veld)
        if waarde:
            if veld == "geboortedatum":
                waarde = datum(waarde)
            elif veld == "geslacht":
                waarde = geslachten.get(waarde, waarde)
            regels.append((label, waarde))
    return pagina("identiteit.html", titel="Identiteit", sessie=sessie, regels=regels)
