"""The partner's screens: the cases shared with the own organisation per purpose, one case for one purpose with
the forms for an outcome (terugkoppeling), a work note (aantekening) and an identity request.

Thin handlers over the gateway (:mod:`werkplek.gateway`), which decides what the partner may see. A case is
found by the partner's own opaque reference and the purpose (a code from the policy); nothing about a person
enters a URL or a title. The three forms on a case's page each prefix their fields (`tk-`, `at-`, `iv-`), so
the gateway's `invalidParams` stand at the right field even where two forms have a field of the same name.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from meldroute_common.catalogus import standaard_catalogus
from meldroute_common.problems import NotFound
from starlette.datastructures import FormData

from werkplek.catalogus import labels
from werkplek.dienst import DienstFout, Ongeldig
from werkplek.gateway import Gateway
from werkplek.paginas import datum, pagina
from werkplek.sessies import Sessie
from werkplek.web import _ingelogd, _ingelogd_formulier, geldige_id

router = APIRouter(include_in_schema=False)

_DOEL = re.compile(r"^[a-z][a-z0-9_]{0,79}$")
_REFERENTIE = re.compile(r"^[0-9a-f]{64}$")
ROLLEN = {
    "slachtoffer": "Slachtoffer",
    "vermoedelijke_uitbuiter": "Vermoedelijke uitbuiter",
    "overig": "Overig",
}
CATEGORIEEN = {
    "kern": "Kerngegevens",
    "kenmerken": "Kenmerken",
    "omschrijving": "Omschrijving",
    "pseudoniem": "Pseudoniem",
    "gekoppelde_signalen": "Gekoppelde signalen",
    "identiteit": "Identiteit",
}
#: Labels of the form fields as the error summaries name them.
VELDLABELS = {
    "tk-terugkoppeling": "Terugkoppeling",
    "tk-reden": "Reden van geen vervolg",
    "tk-opvangvorm": "Vorm van opvang",
    "tk-maatregel": "Bestuurlijke maatregel",
    "tk-toelichting": "Toelichting",
    "at-tekst": "Aantekening",
    "iv-betrokkene": "Betrokkene",
    "iv-reden": "Reden van het verzoek",
}
#: The detail each outcome asks for (the gateway checks it; the form says it).
_DETAILS = ("reden", "opvangvorm", "maatregel")
GELUKT = {
    "terugkoppeling": "De terugkoppeling is vastgelegd.",
    "aantekening": "De aantekening is vastgelegd.",
}


def gateway(request: Request) -> Gateway:
    client: Gateway = request.app.state.gateway
    return client


@cache
def catalogus() -> dict[str, Any]:
    """The shared code lists (labels only): the gateway checks the codes against the very same lists."""
    inhoud: dict[str, Any] = standaard_catalogus().model_dump(mode="json", by_alias=True)
    return inhoud


def doel_label(doel: str) -> str:
    """`strafrechtelijk_onderzoek` → `Strafrechtelijk onderzoek`."""
    tekst = doel.replace("_", " ")
    return tekst[:1].upper() + tekst[1:]


def geldig_doel(doel: str | None) -> str:
    if not doel or not _DOEL.match(doel):
        raise NotFound("Casus niet gevonden.")
    return doel


def _tekst(formulier: FormData, naam: str) -> str | None:
    waarde = formulier.get(naam)
    return waarde.strip() if isinstance(waarde, str) and waarde.strip() else None


def _met_voorvoegsel(fout: Ongeldig, voorvoegsel: str, velden: tuple[str, ...]) -> dict[str, list[str]]:
    """The gateway's field names as this form's keys; a name the form has no field for stays under its own."""
    return {f"{voorvoegsel}{k}" if k in velden else k: v for k, v in fout.velden.items()}


# --- the cases -----------------------------------------------------------------------------------


@router.get("/casussen")
async def casussen(request: Request) -> Response:
    sessie = await _ingelogd(request, "casussen:lezen")
    cursor = request.query_params.get("na") or None
    antwoord = await gateway(request).casussen(sessie=sessie, cursor=cursor)
    per_doel: dict[str, list[dict[str, Any]]] = {}
    for c in antwoord["casussen"]:
        regel = {
            "id": c["id"],
            "opgeschaald": datum(c.get("opgeschaaldOp")),
            "vertrouwelijkheid": str(c.get("vertrouwelijkheidaanduiding", "")).replace("_", " "),
            "tot": datum(c.get("vensterTot")),
        }
        for doel in c.get("doelen") or [c["doel"]]:
            # Access is known for the case's first purpose; the others are decided when the page is opened.
            toegang = bool(c.get("toegang")) if doel == c["doel"] else None
            per_doel.setdefault(doel, []).append({**regel, "doel": doel, "toegang": toegang})
    groepen = [
        {"doel": doel, "label": doel_label(doel), "casussen": rijen}
        for doel, rijen in sorted(per_doel.items())
    ]
    return pagina(
        "casussen.html",
        titel="Casussen",
        sessie=sessie,
        groepen=groepen,
        volgende=antwoord.get("volgende"),
    )


def _kern(casus: dict[str, Any]) -> list[tuple[str, str]]:
    lijsten = catalogus()
    gegevens: list[tuple[str, str]] = []
    kern = casus.get("kern")
    if kern:
        gegevens += [
            ("Gemeente", labels(lijsten, "gemeenten").get(kern["gemeenteCode"], kern["gemeenteCode"])),
            ("Domein van de melder", labels(lijsten, "melderdomeinen").get(kern["melderDomein"], kern["melderDomein"])),
            ("Datum van waarneming", datum(kern.get("waargenomenOp"))),
            ("Ontvangen", datum(kern.get("ontvangenOp"))),
            (
                "Vermoedelijke vorm van uitbuiting",
                ", ".join(labels(lijsten, "uitbuitingsvormen").get(v, v) for v in kern["uitbuitingsvormen"]),
            ),
        ]  # fmt: skip
    kenmerken = casus.get("kenmerken")
    if kenmerken:
        indicatoren = labels(lijsten, "indicatoren")
        gegevens += [
            ("Indicatoren", ", ".join(indicatoren.get(v, v) for v in kenmerken["indicatoren"]) or "Geen"),
            ("Sector", labels(lijsten, "sectoren").get(kenmerken.get("sector") or "", kenmerken.get("sector") or "")),
            ("Soort plek", labels(lijsten, "locatietypen").get(kenmerken.get("locatietype") or "", kenmerken.get("locatietype") or "")),
        ]  # fmt: skip
    if "omschrijving" in casus.get("categorieen", []):
        gegevens.append(("Omschrijving", casus.get("omschrijving") or "Geen"))
    return gegevens


def _betrokkenen(casus: dict[str, Any]) -> list[dict[str, Any]]:
    lijsten = catalogus()
    leeftijd, geslacht = labels(lijsten, "leeftijdsklassen"), labels(lijsten, "geslachten")
    nationaliteit = labels(lijsten, "nationaliteitsgroepen")
    return [
        {
            "nummer": nummer,
            "referentie": b["referentie"],
            "rol": ROLLEN.get(b["rol"], b["rol"]),
            "leeftijd": leeftijd.get(b.get("leeftijdsklasse") or "", b.get("leeftijdsklasse") or ""),
            "geslacht": geslacht.get(b.get("geslacht") or "", b.get("geslacht") or ""),
            "nationaliteit": nationaliteit.get(b.get("nationaliteitsgroep") or "", b.get("nationaliteitsgroep") or ""),
            "pseudoniem": b.get("pseudoniem") or "",
            "gekoppeld": "" if b.get("gekoppeldeSignalen") is None else str(b["gekoppeldeSignalen"]),
        }
        for nummer, b in enumerate(casus.get("betrokkenen", []), start=1)
    ]  # fmt: skip


async def _casus_pagina(
    request: Request,
    sessie: Sessie,
    casus_id: str,
    doel: str,
    *,
    fout: Ongeldig | None = None,
    fouten: dict[str, list[str]] | None = None,
    formulier: str = "",
    waarden: dict[str, str] | None = None,
) -> Response:
    client = gateway(request)
    try:
        casus = await client.casus(sessie=sessie, casus_id=casus_id, doel=doel)
    except DienstFout as exc:
        if exc.status == 404:
            raise NotFound("Casus niet gevonden.") from None
        if exc.status == 403 and exc.reden:
            return pagina(
                "fout.html",
                status_code=403,
                titel="Geen toegang voor dit doel",
                uitleg=f"Het convenantbeleid staat het lezen van deze casus voor dit doel nu niet toe. {exc.detail}",
                sessie=sessie,
            )
        raise
    aantekeningen: list[dict[str, Any]] = []
    if sessie.mag("casussen:terugkoppelen"):
        lijst = await client.aantekeningen(sessie=sessie, casus_id=casus_id, doel=doel)
        aantekeningen = [
            {"op": datum(a["vastgelegdOp"]), "door": a["door"], "tekst": a["tekst"]}
            for a in lijst["aantekeningen"]
        ]
    lijsten = catalogus()
    # Identity is a four-eyes category: listed in `vierOgen`, released only after approval.
    identiteit_mogelijk = sessie.mag("identiteit:verzoeken") and "identiteit" in (
        casus.get("categorieen", []) + casus.get("vierOgen", [])
    )
    fouten = fouten or {}
    return pagina(
        "casus.html",
        status_code=400 if fouten else 200,
        titel="Casus",
        sessie=sessie,
        casus=casus,
        casus_id=casus_id,
        doel=doel,
        doel_label=doel_label(doel),
        vensterTot=datum(casus.get("vensterTot")),
        opgeschaald=datum(casus.get("opgeschaaldOp")),
        categorieen=[CATEGORIEEN.get(c, c) for c in casus.get("categorieen", [])],
        vier_ogen=[CATEGORIEEN.get(c, c) for c in casus.get("vierOgen", [])],
        gegevens=_kern(casus),
        betrokkenen=_betrokkenen(casus),
        aantekeningen=aantekeningen,
        lijsten=lijsten,
        identiteit_mogelijk=identiteit_mogelijk,
        fouten=fouten,
        formulier=formulier,
        detail=fout.detail if fout else "",
        labels=VELDLABELS,
        waarden=waarden or {},
        gelukt=GELUKT.get(request.query_params.get("gelukt") or "", ""),
    )


def _naar_casus(casus_id: str, doel: str, gelukt: str) -> RedirectResponse:
    return RedirectResponse(
        f"/casussen/{casus_id}?{urlencode({'doel': doel, 'gelukt': gelukt})}", status_code=303
    )


@router.get("/casussen/{casus_id}")
async def casus(request: Request, casus_id: str) -> Response:
    sessie = await _ingelogd(request, "casussen:lezen")
    return await _casus_pagina(
        request, sessie, geldige_id(casus_id), geldig_doel(request.query_params.get("doel"))
    )


async def _beleidsweigering(sessie: Sessie, exc: DienstFout) -> Response:
    """A policy refusal (403 with `reden`) or a conflict (409) on a form: said in words, nothing recorded."""
    titel = "Niet toegestaan door het convenantbeleid" if exc.status == 403 else "Dit kan nu niet"
    return pagina(
        "fout.html",
        status_code=exc.status,
        titel=titel,
        uitleg=f"{exc.detail} Er is niets vastgelegd.",
        sessie=sessie,
    )


@router.post("/casussen/{casus_id}/terugkoppelingen")
async def terugkoppeling(request: Request, casus_id: str) -> Response:
    sessie, formulier = await _ingelogd_formulier(request, "casussen:terugkoppelen")
    casus_id, doel = geldige_id(casus_id), geldig_doel(_tekst(formulier, "doel"))
    invoer: dict[str, Any] = {"doel": doel, "terugkoppeling": _tekst(formulier, "tk-terugkoppeling") or ""}
    for veld in (*_DETAILS, "toelichting"):
        if (waarde := _tekst(formulier, f"tk-{veld}")) is not None:
            invoer[veld] = waarde
    try:
        await gateway(request).terugkoppeling(sessie=sessie, casus_id=casus_id, invoer=invoer)
    except Ongeldig as fout:
        fouten = _met_voorvoegsel(fout, "tk-", ("terugkoppeling", *_DETAILS, "toelichting"))
        waarden = {f"tk-{k}": v for k, v in invoer.items()}
        return await _casus_pagina(
            request, sessie, casus_id, doel, fout=fout, fouten=fouten, formulier="tk", waarden=waarden
        )
    except DienstFout as exc:
        if exc.status in (403, 409):
            return await _beleidsweigering(sessie, exc)
        raise
    return _naar_casus(casus_id, doel, "terugkoppeling")


@router.post("/casussen/{casus_id}/aantekeningen")
async def aantekening(request: Request, casus_id: str) -> Response:
    sessie, formulier = await _ingelogd_formulier(request, "casussen:terugkoppelen")
    casus_id, doel = geldige_id(casus_id), geldig_doel(_tekst(formulier, "doel"))
    tekst = _tekst(formulier, "at-tekst") or ""
    try:
        await gateway(request).aantekening(
            sessie=sessie, casus_id=casus_id, invoer={"doel": doel, "tekst": tekst}
        )
    except Ongeldig as fout:
        return await _casus_pagina(
            request, sessie, casus_id, doel, fout=fout, fouten=_met_voorvoegsel(fout, "at-", ("tekst",)),
            formulier="at", waarden={"at-tekst": tekst},
        )  # fmt: skip
    except DienstFout as exc:
        if exc.status in (403, 409):
            return await _beleidsweigering(sessie, exc)
        raise
    return _naar_casus(casus_id, doel, "aantekening")


@router.post("/casussen/{casus_id}/identiteitsverzoeken")
async def identiteitsverzoek(request: Request, casus_id: str) -> Response:
    sessie, formulier = await _ingelogd_formulier(request, "identiteit:verzoeken")
    casus_id, doel = geldige_id(casus_id), geldig_doel(_tekst(formulier, "doel"))
    betrokkene, reden = _tekst(formulier, "iv-betrokkene") or "", _tekst(formulier, "iv-reden") or ""
    if betrokkene and not _REFERENTIE.match(betrokkene):
        betrokkene = ""
    try:
        await gateway(request).identiteitsverzoek(
            sessie=sessie, casus_id=casus_id, invoer={"betrokkene": betrokkene, "doel": doel, "reden": reden}
        )
    except Ongeldig as fout:
        return await _casus_pagina(
            request, sessie, casus_id, doel, fout=fout,
            fouten=_met_voorvoegsel(fout, "iv-", ("betrokkene", "reden")), formulier="iv",
            waarden={"iv-betrokkene": betrokkene, "iv-reden": reden},
        )  # fmt: skip
    except DienstFout as exc:
        if exc.status in (403, 409):
            return await _beleidsweigering(sessie, exc)
        raise
    return RedirectResponse("/identiteitsverzoeken?gelukt=aangevraagd", status_code=303)
