"""The attention officer's screens: the queue, one signal and the work on it, and the escalation.

Thin handlers over intake's API (and the privacy gateway's policy and dry-run, with the user's token exchanged
for the gateway's audience). Every form posts to the werkplek with the session's CSRF token; intake's 400s stand
at the fields they name. Nothing identifying goes into a title or a URL: a signal is found by its opaque id, and
the queue's filters are catalogue codes and dates.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from meldroute_common.problems import NotFound
from starlette.datastructures import FormData

from werkplek.beleid import BeleidCache, doelnaam, partnernamen
from werkplek.catalogus import labels
from werkplek.dienst import DienstFout, Ongeldig
from werkplek.gateway import DIENST as GATEWAY
from werkplek.gateway import Gateway
from werkplek.paginas import STATUSSEN, datum, pagina, tijdstip
from werkplek.sessies import Sessie
from werkplek.web import (
    Inloggen,
    _catalogus,
    _ingelogd,
    _ingelogd_formulier,
    _intake,
    _token,
    geldige_id,
    met_token,
)

router = APIRouter(include_in_schema=False)

LEZEN, BEOORDELEN = "signalen:lezen", "signalen:beoordelen"
#: Signals per page of the queue.
PAGINA = 20
#: The queue's filters: the form field is intake's query parameter (a catalogue list gives the choices).
KEUZEFILTERS = {
    "uitbuitingsvorm": ("Uitbuitingsvorm", "uitbuitingsvormen", "Alle vormen"),
    "indicator": ("Indicator", "indicatoren", "Alle indicatoren"),
    "sector": ("Sector", "sectoren", "Alle sectoren"),
    "locatietype": ("Soort plek", "locatietypen", "Alle soorten plek"),
    "melderDomein": ("Domein van de melder", "melderdomeinen", "Alle domeinen"),
}
DATUMFILTERS = {
    "waargenomenVanaf": "Waargenomen vanaf",
    "waargenomenTot": "Waargenomen vóór",
    "ontvangenVanaf": "Ontvangen vanaf",
    "ontvangenTot": "Ontvangen vóór",
}
TOEGEWEZEN = {"ik": "Aan mij", "nee": "Aan niemand", "ja": "Aan iemand"}
TERMIJNEN = {"verlopen": "Een termijn is verlopen", "lopend": "Een termijn loopt"}
TERMIJNSTANDEN = {"lopend": "Loopt", "verlopen": "Verlopen", "gehaald": "Gehaald"}
VOLGORDEN = {"": "Nieuwste eerst", "termijn": "Vroegst vervallende termijn eerst"}
_DATUM = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Decisions on the signal page (escalation has its own screens), per current status.
BESLUITEN = {
    "ontvangen": {"in_behandeling": "In behandeling nemen"},
    "in_behandeling": {
        "afgesloten_geen_mensenhandel": "Afsluiten: geen mensenhandel",
        "doorverwezen_ander_domein": "Doorverwijzen naar een ander domein",
    },
    "advies_gevraagd": {"in_behandeling": "Weer in behandeling nemen (het advies is binnen)"},
}
VELDNAMEN = {
    "tekst": "Aantekening",
    "toegewezenAan": "Toewijzen aan",
    "status": "Besluit",
    "toelichting": "Toelichting",
    "doorverwezenNaar": "Doorverwijzen naar",
    "indicatoren": "Indicatoren",
    "aanvullingOmschrijving": "Aanvulling op de omschrijving",
    "vraag": "Vraag",
    "experts": "Experts",
    "toegewezen": "Toegewezen",
    "termijn": "Termijn",
    "sorteer": "Volgorde",
    "cursor": "Pagina",
    **{k: v[0] for k, v in KEUZEFILTERS.items()},
    **DATUMFILTERS,
}
#: The escalation's two tracks: a safety track and a care track, each a purpose with its partners.
TRAJECTEN = (
    ("Veiligheidstraject", "casusoverleg"),
    ("Zorgtraject", "zorg_en_opvang"),
)
_TRAJECT_VELD = re.compile(r"^trajecten\[(\d+)\](?:\.(doel|partners))?")


# --- helpers -------------------------------------------------------------------------------------


def _tekst(formulier: FormData, naam: str) -> str:
    waarde = formulier.get(naam)
    return waarde.strip() if isinstance(waarde, str) else ""


def _lijst(formulier: FormData, naam: str) -> list[str]:
    return [v for v in formulier.getlist(naam) if isinstance(v, str) and v]


async def _lees_signaal(request: Request, sessie: Sessie, signaal_id: str) -> dict[str, Any]:
    try:
        signaal: dict[str, Any] = await _intake(request).signaal(token=_token(sessie), signaal_id=signaal_id)
    except DienstFout as fout:
        if fout.status in (403, 404):
            raise NotFound("Signaal niet gevonden.") from None
        raise
    return signaal


async def _beleid(request: Request, sessie: Sessie) -> dict[str, Any]:
    cache: BeleidCache = request.app.state.beleid
    return await cache.lees(sessie=await met_token(request, sessie, GATEWAY))


def _eigen(sessie: Sessie) -> str:
    """The officer's own municipality as a partner of the policy (`af-gm1509`): not one to send to or ask."""
    return f"af-{(sessie.gemeente or '').lower()}"


def _gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def _foutpagina(fout: DienstFout) -> Response:
    return pagina(
        "fout.html",
        status_code=502 if fout.status >= 500 else fout.status,
        titel="Er ging iets mis",
        uitleg=fout.detail,
    )


# --- queue ---------------------------------------------------------------------------------------


def _queue_filters(request: Request) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The form's values (as entered) and intake's query parameters made from them."""
    q = request.query_params
    waarden = {k: q.get(k, "").strip() for k in ("status", *KEUZEFILTERS, *DATUMFILTERS, "toegewezen",
                                                  "termijn", "sorteer")}  # fmt: skip
    params: list[tuple[str, str]] = []
    if waarden["status"] in STATUSSEN:
        params.append(("status", waarden["status"]))
    for naam in (*KEUZEFILTERS, *DATUMFILTERS):
        if waarden[naam]:
            params.append((naam, waarden[naam]))  # intake checks codes and dates, and names the field
    if waarden["toegewezen"] == "ik":
        params.append(("toegewezenAan", "ik"))
    elif waarden["toegewezen"] in ("ja", "nee"):
        params.append(("toegewezen", "true" if waarden["toegewezen"] == "ja" else "false"))
    if waarden["termijn"] in TERMIJNEN:
        params.append(("termijn", waarden["termijn"]))
    if waarden["sorteer"] == "termijn":
        params.append(("sorteer", "termijn"))
    return waarden, params


@router.get("/wachtrij")
async def wachtrij(request: Request) -> Response:
    sessie = await _ingelogd(request, LEZEN)
    catalogus = await _catalogus(request, sessie)
    waarden, params = _queue_filters(request)
    cursor = request.query_params.get("cursor") or ""
    fouten: dict[str, list[str]] = {}
    detail = ""
    try:
        pagina_ = await _intake(request).signalen(
            token=_token(sessie),
            filters=[*params, *([("cursor", cursor)] if cursor else [])],
            page_size=PAGINA,
        )
    except Ongeldig as fout:
        pagina_, detail = {"signalen": [], "volgende": None}, fout.detail
        for naam, redenen in fout.velden.items():
            veld = "toegewezen" if naam == "toegewezenAan" else naam
            fouten.setdefault(veld if veld in VELDNAMEN else "cursor", []).extend(redenen)
    vormen, sectoren = labels(catalogus, "uitbuitingsvormen"), labels(catalogus, "sectoren")
    signalen = [
        {
            "id": s["id"],
            "ontvangen": tijdstip(s.get("ontvangenOp")),
            "vormen": ", ".join(vormen.get(v, v) for v in s.get("uitbuitingsvormen", [])),
            "sector": sectoren.get(s.get("sector", ""), s.get("sector", "")),
            "status": STATUSSEN.get(s.get("status", ""), s.get("status", "")),
            "toegewezen": _toegewezen(s.get("toegewezenAan"), sessie),
        }
        for s in pagina_["signalen"]
    ]
    filter_query = [(k, v) for k, v in waarden.items() if v]
    volgende = pagina_.get("volgende")
    return pagina(
        "wachtrij.html",
        status_code=400 if fouten else 200,
        titel="Wachtrij",
        sessie=sessie,
        signalen=signalen,
        waarden=waarden,
        statussen={k: v for k, v in STATUSSEN.items() if k != "afgehandeld"},
        keuzefilters=[
            (naam, label, [(i["code"], i["label"]) for i in catalogus.get(lijst, [])], leeg)
            for naam, (label, lijst, leeg) in KEUZEFILTERS.items()
        ],
        datumfilters=DATUMFILTERS,
        toegewezen_keuzes=TOEGEWEZEN,
        termijnen=TERMIJNEN,
        volgorden=VOLGORDEN,
        fouten=fouten,
        labels={**VELDNAMEN, "status": "Status"},
        detail=detail,
        gefilterd=bool(filter_query),
        volgende=f"/wachtrij?{urlencode([*filter_query, ('cursor', volgende)])}" if volgende else "",
        eerste=f"/wachtrij?{urlencode(filter_query)}" if cursor else "",
    )


def _toegewezen(aan: str | None, sessie: Sessie) -> str:
    if not aan:
        return "Niemand"
    return "U" if aan == sessie.sub else aan


# --- one signal ----------------------------------------------------------------------------------


async def _signaalpagina(
    request: Request,
    sessie: Sessie,
    signaal_id: str,
    *,
    fouten: dict[str, list[str]] | None = None,
    detail: str = "",
    waarden: dict[str, str] | None = None,
    status_code: int | None = None,
) -> Response:
    token = _token(sessie)
    catalogus = await _catalogus(request, sessie)
    s = await _lees_signaal(request, sessie, signaal_id)
    historie = await _intake(request).historie(token=token, signaal_id=signaal_id)
    aantekeningen = await _intake(request).aantekeningen(token=token, signaal_id=signaal_id)
    # Partner names from the policy when the gateway answers; their ids otherwise (the page still works).
    namen: dict[str, str] = {}
    if s.get("trajecten") or s.get("adviesvragen"):
        try:
            namen = partnernamen(await _beleid(request, sessie))
        except DienstFout:
            namen = {}
    lijst = {
        "melderDomein": labels(catalogus, "melderdomeinen"),
        "uitbuitingsvormen": labels(catalogus, "uitbuitingsvormen"),
        "indicatoren": labels(catalogus, "indicatoren"),
        "sector": labels(catalogus, "sectoren"),
        "locatietype": labels(catalogus, "locatietypen"),
        "terugkoppelingen": labels(catalogus, "terugkoppelingen"),
    }
    gegevens = [
        ("Status", STATUSSEN.get(s["status"], s["status"])),
        ("Toegewezen aan", _toegewezen(s.get("toegewezenAan"), sessie)),
        ("Ontvangen", tijdstip(s.get("ontvangenOp"))),
        ("Gemeente", labels(catalogus, "gemeenten").get(s["gemeenteCode"], s["gemeenteCode"])),
        ("Domein van de melder", lijst["melderDomein"].get(s["melderDomein"], s["melderDomein"])),
        ("Datum van waarneming", datum(s.get("waargenomenOp"))),
        (
            "Vermoedelijke vorm van uitbuiting",
            ", ".join(lijst["uitbuitingsvormen"].get(v, v) for v in s["uitbuitingsvormen"]),
        ),
        (
            "Indicatoren",
            ", ".join(lijst["indicatoren"].get(v, v) for v in s.get("indicatoren", [])) or "Geen",
        ),
        ("Sector", lijst["sector"].get(s["sector"], s["sector"])),
        ("Soort plek", lijst["locatietype"].get(s["locatietype"], s["locatietype"])),
        ("Omschrijving", s.get("omschrijving") or "Geen"),
    ]
    regels = [
        {
            "tijdstip": tijdstip(r["tijdstip"]),
            "actie": r["actie"].replace("_", " "),
            "status": STATUSSEN.get(r.get("naarStatus") or "", ""),
            "toelichting": r.get("toelichting") or "",
        }
        for r in historie["historie"]
    ]
    trajecten = [
        {
            "doel": doelnaam(t["doel"]),
            "status": t["status"],
            "partners": ", ".join(namen.get(p, p) for p in t["partners"]),
            "geopend": tijdstip(t.get("geopendOp")),
            "terugkoppelingen": [
                {
                    "partner": namen.get(k["partner"], k["partner"]),
                    "uitkomst": lijst["terugkoppelingen"].get(k["terugkoppeling"], k["terugkoppeling"]),
                    "toelichting": k.get("toelichting") or "",
                    "op": tijdstip(k.get("vastgelegdOp")),
                }
                for k in t.get("terugkoppelingen", [])
            ],
        }
        for t in s.get("trajecten", [])
    ]
    adviesvragen = [
        {
            "vraag": a["vraag"],
            "gesteld": tijdstip(a.get("gesteldOp")),
            "experts": ", ".join(namen.get(e, e) for e in a["experts"]),
            "antwoorden": [
                {"partner": namen.get(b["partner"], b["partner"]), "antwoord": b["antwoord"],
                 "op": tijdstip(b.get("gegevenOp"))}
                for b in a.get("antwoorden", [])
            ],
        }
        for a in s.get("adviesvragen", [])
    ]  # fmt: skip
    return pagina(
        "signaal.html",
        status_code=status_code or (400 if fouten else 200),
        titel="Signaal",
        sessie=sessie,
        signaal_id=signaal_id,
        status=s["status"],
        versie=s["versie"],
        mijn=s.get("toegewezenAan") == sessie.sub,
        gegevens=gegevens,
        historie=regels,
        aantekeningen=[
            {
                "tekst": a["tekst"],
                "op": tijdstip(a["vastgelegdOp"]),
                "door": _toegewezen(a.get("door"), sessie),
            }
            for a in aantekeningen["aantekeningen"]
        ],
        aanvullingen=[
            {"omschrijving": a["omschrijving"], "op": tijdstip(a["vastgelegdOp"])}
            for a in s.get("aanvullingen", [])
        ],
        adviesvragen=adviesvragen,
        trajecten=trajecten,
        termijnen=[
            {
                "soort": t["soort"].replace("_", " ").capitalize(),
                "verval": datum(t["vervaltOp"]),
                "status": TERMIJNSTANDEN.get(t["status"], t["status"]),
            }
            for t in s.get("termijnen", [])
        ],
        besluiten=BESLUITEN.get(s["status"], {}) if sessie.mag(BEOORDELEN) else {},
        doorverwijsdomeinen=catalogus.get("doorverwijsdomeinen", []),
        beoordelen=sessie.mag(BEOORDELEN),
        fouten=fouten or {},
        labels=VELDNAMEN,
        detail=detail,
        waarden=waarden or {},
    )


@router.get("/signalen/{signaal_id}")
async def signaal(request: Request, signaal_id: str) -> Response:
    sessie = await _ingelogd(request, LEZEN)
    return await _signaalpagina(request, sessie, geldige_id(signaal_id, "Signaal"))


async def _post(request: Request, signaal_id: str, scope: str = BEOORDELEN) -> tuple[Sessie, FormData, str]:
    sessie, formulier = await _ingelogd_formulier(request, scope)
    return sessie, formulier, geldige_id(signaal_id, "Signaal")


def _terug(signaal_id: str, anker: str) -> Response:
    return RedirectResponse(f"/signalen/{signaal_id}#{anker}", status_code=303)


@router.post("/signalen/{signaal_id}/oppakken")
async def oppakken(request: Request, signaal_id: str) -> Response:
    """Take the signal: assigned to oneself, and a new signal goes in behandeling with it."""
    sessie, _, signaal_id = await _post(request, signaal_id)
    s = await _lees_signaal(request, sessie, signaal_id)
    toegewezen = await _intake(request).toewijzen(token=_token(sessie), signaal_id=signaal_id, aan=sessie.sub)
    if s["status"] == "ontvangen":
        try:
            await _intake(request).beoordelen(
                token=_token(sessie),
                signaal_id=signaal_id,
                invoer={"status": "in_behandeling", "toelichting": "Opgepakt door de aandachtsfunctionaris."},
                versie=int(toegewezen.get("versie", s["versie"] + 1)),
            )
        except DienstFout as fout:
            if fout.status not in (409, 412):  # someone else decided first: the assignment still holds
                raise
    return _terug(signaal_id, "toewijzing")


@router.post("/signalen/{signaal_id}/toewijzing")
async def toewijzen(request: Request, signaal_id: str) -> Response:
    sessie, formulier, signaal_id = await _post(request, signaal_id)
    aan = _tekst(formulier, "toegewezenAan") or None
    try:
        await _intake(request).toewijzen(token=_token(sessie), signaal_id=signaal_id, aan=aan)
    except Ongeldig as fout:
        return await _signaalpagina(
            request, sessie, signaal_id, fouten={"toegewezenAan": _redenen(fout)}, detail=fout.detail,
            waarden={"toegewezenAan": aan or ""},
        )  # fmt: skip
    return _terug(signaal_id, "toewijzing")


@router.post("/signalen/{signaal_id}/beoordeling")
async def beoordelen(request: Request, signaal_id: str) -> Response:
    sessie, formulier, signaal_id = await _post(request, signaal_id)
    waarden = {k: _tekst(formulier, k) for k in ("status", "toelichting", "doorverwezenNaar", "versie")}
    invoer: dict[str, Any] = {"status": waarden["status"], "toelichting": waarden["toelichting"]}
    if waarden["doorverwezenNaar"]:
        invoer["doorverwezenNaar"] = waarden["doorverwezenNaar"]
    versie = int(waarden["versie"]) if waarden["versie"].isdigit() else 0
    try:
        await _intake(request).beoordelen(
            token=_token(sessie), signaal_id=signaal_id, invoer=invoer, versie=versie
        )
    except Ongeldig as fout:
        return await _signaalpagina(
            request, sessie, signaal_id, fouten=_velden(fout, {"status", "toelichting", "doorverwezenNaar"}, "status"),
            detail=fout.detail, waarden=waarden,
        )  # fmt: skip
    except DienstFout as fout:
        if fout.status not in (409, 412):
            raise
        return await _signaalpagina(
            request, sessie, signaal_id, fouten={"status": [_conflict(fout)]}, detail=fout.detail, waarden=waarden,
            status_code=fout.status,
        )  # fmt: skip
    return _terug(signaal_id, "besluit")


def _conflict(fout: DienstFout) -> str:
    if fout.status == 412:
        return "Iemand anders wijzigde het signaal intussen; bekijk het opnieuw en besluit dan."
    return f"Dit besluit kan nu niet: {fout.detail}"


def _redenen(fout: Ongeldig) -> list[str]:
    return [r for redenen in fout.velden.values() for r in redenen] or [fout.detail]


def _velden(fout: Ongeldig, bekend: set[str], standaard: str) -> dict[str, list[str]]:
    """Intake's reasons per field of this form; a reason about another field goes to `standaard`."""
    velden: dict[str, list[str]] = {}
    for naam, redenen in fout.velden.items():
        velden.setdefault(naam if naam in bekend else standaard, []).extend(redenen)
    return velden or {standaard: [fout.detail]}


@router.post("/signalen/{signaal_id}/aantekeningen")
async def aantekening(request: Request, signaal_id: str) -> Response:
    sessie, formulier, signaal_id = await _post(request, signaal_id, LEZEN)
    tekst = _tekst(formulier, "tekst")
    try:
        await _intake(request).aantekening(token=_token(sessie), signaal_id=signaal_id, tekst=tekst)
    except Ongeldig as fout:
        return await _signaalpagina(
            request,
            sessie,
            signaal_id,
            fouten={"tekst": _redenen(fout)},
            detail=fout.detail,
            waarden={"tekst": tekst},
        )
    return _terug(signaal_id, "aantekeningen")


# --- additions and advice ------------------------------------------------------------------------


async def _aanvulformulier(
    request: Request, sessie: Sessie, signaal_id: str, *, fout: Ongeldig | None = None,
    waarden: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    catalogus = await _catalogus(request, sessie)
    s = await _lees_signaal(request, sessie, signaal_id)
    fouten = (
        _velden(fout, {"indicatoren", "aanvullingOmschrijving"}, "aanvullingOmschrijving") if fout else {}
    )
    return pagina(
        "aanvullen.html",
        status_code=400 if fout else 200,
        titel="Signaal aanvullen",
        sessie=sessie,
        signaal_id=signaal_id,
        indicatoren=[i for i in catalogus["indicatoren"] if i["code"] not in s.get("indicatoren", [])],
        waarden={"indicatoren": [], **(waarden or {})},
        fouten=fouten,
        labels=VELDNAMEN,
        detail=fout.detail if fout else "",
    )


@router.get("/signalen/{signaal_id}/aanvullen")
async def aanvullen(request: Request, signaal_id: str) -> Response:
    sessie = await _ingelogd(request, BEOORDELEN)
    return await _aanvulformulier(request, sessie, geldige_id(signaal_id, "Signaal"))


@router.post("/signalen/{signaal_id}/aanvullen")
async def aanvullen_versturen(request: Request, signaal_id: str) -> Response:
    sessie, formulier, signaal_id = await _post(request, signaal_id)
    invoer: dict[str, Any] = {"indicatoren": _lijst(formulier, "indicatoren")}
    if omschrijving := _tekst(formulier, "aanvullingOmschrijving"):
        invoer["aanvullingOmschrijving"] = omschrijving
    try:
        await _intake(request).aanvullen(token=_token(sessie), signaal_id=signaal_id, invoer=invoer)
    except Ongeldig as fout:
        return await _aanvulformulier(request, sessie, signaal_id, fout=fout, waarden=invoer)
    return _terug(signaal_id, "aanvullingen")


async def _adviesformulier(
    request: Request, sessie: Sessie, signaal_id: str, *, fout: Ongeldig | None = None,
    waarden: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    await _lees_signaal(request, sessie, signaal_id)
    beleid = await _beleid(request, sessie)
    return pagina(
        "advies.html",
        status_code=400 if fout else 200,
        titel="Advies vragen",
        sessie=sessie,
        signaal_id=signaal_id,
        keuzes=[
            {"code": p["id"], "label": p["naam"]}
            for p in beleid.get("partners", [])
            if p["id"] != _eigen(sessie)
        ],
        waarden={"experts": [], **(waarden or {})},
        fouten=_velden(fout, {"vraag", "experts"}, "vraag") if fout else {},
        labels=VELDNAMEN,
        detail=fout.detail if fout else "",
    )


@router.get("/signalen/{signaal_id}/advies")
async def advies(request: Request, signaal_id: str) -> Response:
    sessie = await _ingelogd(request, BEOORDELEN)
    return await _adviesformulier(request, sessie, geldige_id(signaal_id, "Signaal"))


@router.post("/signalen/{signaal_id}/advies")
async def advies_versturen(request: Request, signaal_id: str) -> Response:
    sessie, formulier, signaal_id = await _post(request, signaal_id)
    vraag, experts = _tekst(formulier, "vraag"), _lijst(formulier, "experts")
    waarden = {"vraag": vraag, "experts": experts}
    try:
        await _intake(request).advies_vragen(
            token=_token(sessie), signaal_id=signaal_id, vraag=vraag, experts=experts
        )
    except Ongeldig as fout:
        return await _adviesformulier(request, sessie, signaal_id, fout=fout, waarden=waarden)
    except DienstFout as fout:
        if fout.status != 409:
            raise
        conflict = Ongeldig(
            detail=fout.detail, velden={"vraag": [f"Advies vragen kan nu niet: {fout.detail}"]}
        )
        return await _adviesformulier(request, sessie, signaal_id, fout=conflict, waarden=waarden)
    return _terug(signaal_id, "adviesvragen")


# --- escalation: two tracks, the policy's dry-run, then send -------------------------------------


def _opschaling(formulier: FormData) -> dict[str, Any]:
    """The tracks entered (an empty one left out, the index kept), the reason and the version decided on."""
    trajecten = []
    for index in range(len(TRAJECTEN)):
        doel, partners = (
            _tekst(formulier, f"traject{index}-doel"),
            _lijst(formulier, f"traject{index}-partners"),
        )
        if doel or partners:
            trajecten.append({"index": index, "doel": doel, "partners": partners})
    versie = _tekst(formulier, "versie")
    return {
        "trajecten": trajecten,
        "toelichting": _tekst(formulier, "toelichting"),
        "versie": int(versie) if versie.isdigit() else 0,
    }


def _traject_fouten(fout: Ongeldig, opschaling: dict[str, Any]) -> dict[str, list[str]]:
    """`trajecten[1].partners[0]` → the partners of the form's track that was sent second."""
    indices = [t["index"] for t in opschaling["trajecten"]]
    fouten: dict[str, list[str]] = {}
    for naam, reden in fout.params:
        gevonden = _TRAJECT_VELD.match(naam)
        if gevonden and int(gevonden.group(1)) < len(indices):
            veld = f"traject{indices[int(gevonden.group(1))]}-{gevonden.group(2) or 'doel'}"
        elif naam in ("toelichting",):
            veld = naam
        else:
            veld = "traject0-doel"
        fouten.setdefault(veld, []).append(reden)
    return fouten or {"traject0-doel": [fout.detail]}


async def _opschaalformulier(
    request: Request, sessie: Sessie, signaal_id: str, *, opschaling: dict[str, Any] | None = None,
    fouten: dict[str, list[str]] | None = None, detail: str = "",
) -> Response:  # fmt: skip
    s = await _lees_signaal(request, sessie, signaal_id)
    beleid = await _beleid(request, sessie)
    if opschaling is None:
        opschaling = {
            "trajecten": [
                {"index": i, "doel": doel, "partners": []} for i, (_, doel) in enumerate(TRAJECTEN)
            ],
            "toelichting": "",
            "versie": s["versie"],
        }
    if not opschaling["versie"]:  # after a conflict: decide again on the version as it is now
        opschaling = {**opschaling, "versie": s["versie"]}
    per_index = {t["index"]: t for t in opschaling["trajecten"]}
    labels_ = {**VELDNAMEN, "toelichting": "Toelichting"}
    for index, (naam, _) in enumerate(TRAJECTEN):
        labels_[f"traject{index}-doel"] = f"{naam}: doel"
        labels_[f"traject{index}-partners"] = f"{naam}: partners"
    return pagina(
        "opschalen.html",
        status_code=400 if fouten else 200,
        titel="Opschalen",
        sessie=sessie,
        signaal_id=signaal_id,
        status=s["status"],
        trajecten=[
            {"index": i, "naam": naam, **per_index.get(i, {"doel": "", "partners": []})}
            for i, (naam, _) in enumerate(TRAJECTEN)
        ],
        doelen=[
            {"code": d["id"], "label": doelnaam(d["id"])}
            for d in beleid.get("doelen", [])
            if d["id"] != "advies"
        ],
        partnerkeuzes=[
            {"code": p["id"], "label": p["naam"]}
            for p in beleid.get("partners", [])
            if p["id"] != _eigen(sessie)
        ],
        toelichting=opschaling["toelichting"],
        versie=opschaling["versie"],
        fouten=fouten or {},
        labels=labels_,
        detail=detail,
    )


@router.get("/signalen/{signaal_id}/opschalen")
async def opschalen(request: Request, signaal_id: str) -> Response:
    sessie = await _ingelogd(request, BEOORDELEN)
    return await _opschaalformulier(request, sessie, geldige_id(signaal_id, "Signaal"))


@router.post("/signalen/{signaal_id}/opschalen")
async def opschalen_toetsen(request: Request, signaal_id: str) -> Response:
    """The dry-run: what the policy would decide per track and partner, shown before anything is sent."""
    sessie, formulier, signaal_id = await _post(request, signaal_id)
    opschaling = _opschaling(formulier)
    fouten: dict[str, list[str]] = {}
    if not opschaling["trajecten"]:
        fouten["traject0-doel"] = ["Kies voor ten minste één traject een doel en partners."]
    if not opschaling["toelichting"]:
        fouten["toelichting"] = ["Geef een toelichting: waarom wordt het signaal opgeschaald?"]
    if fouten:
        return await _opschaalformulier(
            request, sessie, signaal_id, opschaling=opschaling, fouten=fouten,
            detail="Het signaal is nog niet opgeschaald.",
        )  # fmt: skip
    trajecten = [{"doel": t["doel"], "partners": t["partners"]} for t in opschaling["trajecten"]]
    try:
        toets = await _gateway(request).opschalingstoets(
            sessie=await met_token(request, sessie, GATEWAY), signaal_id=signaal_id, trajecten=trajecten
        )
    except Ongeldig as fout:
        return await _opschaalformulier(
            request, sessie, signaal_id, opschaling=opschaling, fouten=_traject_fouten(fout, opschaling),
            detail=fout.detail,
        )  # fmt: skip
    except DienstFout as fout:
        if fout.status == 404:
            raise NotFound("Signaal niet gevonden.") from None
        raise
    beleid = await _beleid(request, sessie)
    namen = partnernamen(beleid)
    uitkomsten = [
        {
            "doel": doelnaam(u["doel"]),
            "partner": namen.get(u["partner"], u["partner"]),
            "toegestaan": u["toegestaan"],
            "regel": u.get("regelId") or "",
            "grondslag": (u.get("grondslag") or {}).get("referentie", ""),
            "categorieen": ", ".join(c.replace("_", " ") for c in u.get("categorieen", [])) or "Geen",
            "vier_ogen": ", ".join(c.replace("_", " ") for c in u.get("vierOgen", [])) or "Niets",
            "reden": (u.get("reden") or {}).get("toelichting", ""),
        }
        for u in toets["uitkomsten"]
    ]
    return pagina(
        "opschalen_toets.html",
        titel="Opschaling controleren",
        sessie=sessie,
        signaal_id=signaal_id,
        uitkomsten=uitkomsten,
        alles_toegestaan=all(u["toegestaan"] for u in uitkomsten),
        trajecten=[
            {
                **t,
                "naam": TRAJECTEN[t["index"]][0],
                "doelnaam": doelnaam(t["doel"]),
                "partnernamen": ", ".join(namen.get(p, p) for p in t["partners"]),
            }
            for t in opschaling["trajecten"]
        ],
        toelichting=opschaling["toelichting"],
        versie=opschaling["versie"],
    )


@router.post("/signalen/{signaal_id}/opschalen/versturen")
async def opschalen_versturen(request: Request, signaal_id: str) -> Response:
    sessie, formulier, signaal_id = await _post(request, signaal_id)
    opschaling = _opschaling(formulier)
    if formulier.get("actie") == "wijzigen":
        return await _opschaalformulier(request, sessie, signaal_id, opschaling=opschaling)
    invoer = {
        "status": "opgeschaald",
        "toelichting": opschaling["toelichting"],
        "trajecten": [{"doel": t["doel"], "partners": t["partners"]} for t in opschaling["trajecten"]],
    }
    try:
        await _intake(request).beoordelen(
            token=_token(sessie), signaal_id=signaal_id, invoer=invoer, versie=opschaling["versie"]
        )
    except Ongeldig as fout:
        return await _opschaalformulier(
            request, sessie, signaal_id, opschaling=opschaling, fouten=_traject_fouten(fout, opschaling),
            detail=fout.detail,
        )  # fmt: skip
    except DienstFout as fout:
        if fout.status not in (409, 412):
            raise
        return await _opschaalformulier(
            request, sessie, signaal_id, opschaling={**opschaling, "versie": 0},
            fouten={"traject0-doel": [_conflict(fout)]}, detail="Het signaal is niet opgeschaald.",
        )  # fmt: skip
    return _terug(signaal_id, "trajecten")


__all__ = ["Inloggen", "router"]
