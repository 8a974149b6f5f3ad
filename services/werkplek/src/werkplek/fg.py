"""The FG's screens (functionaris gegevensbescherming): the verwerkingenlog with filters, its verification
against a checkpoint the FG kept outside the gateway, and access requests (inzage, art. 15 AVG).

The filters are a GET form (nothing in them names a person); a kept checkpoint and an access request are POST
forms with the CSRF token, and the person an access request is about is never put in a URL, nor shown back.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from werkplek.dienst import Ongeldig
from werkplek.paginas import pagina, tijdstip
from werkplek.partner import doel_label, gateway
from werkplek.sessies import Sessie
from werkplek.web import _ingelogd, _ingelogd_formulier

router = APIRouter(include_in_schema=False)

SCOPE = "verwerkingen:lezen"
_NL = ZoneInfo("Europe/Amsterdam")
_DAG = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The log's actions (the gateway's `actie` values) as the filter offers them.
ACTIES = {
    "verstrekking": "Verstrekking van casusgegevens",
    "weigering": "Weigering",
    "evaluatie": "Toets aan het beleid",
    "identiteitsverzoek": "Identiteitsverzoek",
    "goedkeuring": "Goedkeuring (vier ogen)",
    "afwijzing": "Afwijzing (vier ogen)",
    "intrekking": "Intrekking",
    "verloop": "Verlopen verzoek",
    "ontzegeling": "Ontzegeling van een identiteit",
    "inzage": "Inzageverzoek",
    "retentie": "Wissen na de bewaartermijn",
    "weigeringen_geteld": "Getelde weigeringen",
    "adviesantwoord": "Adviesantwoord",
    "terugkoppeling": "Terugkoppeling",
    "doelverzoek": "Verzoek om een vervolgdoel",
    "aantekening": "Aantekening",
    "aantekeningen_teruggegeven": "Aantekeningen teruggegeven",
}
FILTERS = ("actie", "afnemer", "doel", "casusId", "vanaf", "tot")
FILTERLABELS = {
    "actie": "Actie",
    "afnemer": "Afnemer (partner)",
    "doel": "Doel",
    "casusId": "Casus (id bij intake)",
    "vanaf": "Vanaf (datum)",
    "tot": "Tot (datum, niet meer inbegrepen)",
    "checkpoint": "Bewaard checkpoint",
    "bsn": "BSN",
    "naam": "Naam",
    "geboortedatum": "Geboortedatum",
}


async def _fg(request: Request) -> Sessie:
    return await _ingelogd(request, SCOPE)


def _tijdstip_van(dag: str) -> str:
    """A day from the date field → the start of that day in Dutch time (what the FG means by a date)."""
    if not _DAG.match(dag):
        return dag  # the gateway names it in `invalidParams`
    try:
        return datetime.fromisoformat(dag).replace(tzinfo=_NL).isoformat()
    except ValueError:
        return dag


# --- the log ------------------------------------------------------------------------------------


@router.get("/verwerkingen")
async def verwerkingen(request: Request) -> Response:
    sessie = await _fg(request)
    waarden = {k: (request.query_params.get(k) or "").strip() for k in FILTERS}
    filters = {k: _tijdstip_van(v) if k in ("vanaf", "tot") and v else v for k, v in waarden.items()}
    cursor = request.query_params.get("na") or None
    fouten: dict[str, list[str]] = {}
    detail, rijen, volgende = "", [], None
    try:
        antwoord = await gateway(request).verwerkingen(sessie=sessie, filters=filters, cursor=cursor)
    except Ongeldig as fout:
        fouten, detail = fout.velden, fout.detail
    else:
        volgende = antwoord.get("volgende")
        rijen = [
            {
                "volgnummer": r["volgnummer"],
                "tijdstip": tijdstip(r["tijdstip"]),
                "actie": ACTIES.get(r["actie"], r["actie"]),
                "activiteit": r["verwerkingsactiviteit"],
                "doel": doel_label(r["doel"]) if r.get("doel") else "",
                "afnemer": r.get("afnemer") or "Niemand",
                "grondslag": r.get("grondslag") or "",
                "casus": r.get("casusId") or "",
                "hash": r["hash"][:8],
            }
            for r in antwoord["verwerkingen"]
        ]
    gevuld = {k: v for k, v in waarden.items() if v}
    return pagina(
        "verwerkingen.html",
        status_code=400 if fouten else 200,
        titel="Verwerkingenlog",
        sessie=sessie,
        rijen=rijen,
        waarden=waarden,
        acties=ACTIES,
        fouten={k: v for k, v in fouten.items() if k in FILTERS},
        overige_fouten={k: v for k, v in fouten.items() if k not in FILTERS},
        detail=detail,
        labels=FILTERLABELS,
        volgende=f"/verwerkingen?{urlencode({**gevuld, 'na': volgende})}" if volgende else "",
        gefilterd=bool(gevuld),
    )


# --- verification -------------------------------------------------------------------------------


class OnleesbaarCheckpoint(ValueError):
    """The pasted text is not a checkpoint of this log's form."""


def lees_checkpoint(tekst: str) -> dict[str, str]:
    """A kept checkpoint (the C2SP signed note the gateway hands out) → the five fields of the verification.

    The note is `<herkomst>\\n<volgnummer>\\n<kop>\\n<tijdstip>\\n\\n— <herkomst> <base64(sleutel-id ‖ handtekening)>`;
    the key id is the first 4 bytes of the signature line's value, the Ed25519 signature the other 64.
    """
    regels = [r.strip() for r in tekst.replace("\r\n", "\n").strip().split("\n")]
    inhoud = [r for r in regels if r]
    if len(inhoud) != 5 or not inhoud[4].startswith("\u2014 "):
        raise OnleesbaarCheckpoint(
            "Plak het hele checkpoint: vier regels, een lege regel en de regel met de handtekening (begint met —)."
        )
    herkomst, volgnummer, kop, moment, ondertekening = inhoud
    delen = ondertekening[2:].split(" ")
    if len(delen) != 2 or delen[0] != herkomst:
        raise OnleesbaarCheckpoint("De regel met de handtekening hoort niet bij dit checkpoint.")
    try:
        ruw = base64.b64decode(delen[1], validate=True)
    except (binascii.Error, ValueError):
        raise OnleesbaarCheckpoint("De handtekening is geen geldige base64.") from None
    if len(ruw) != 68:
        raise OnleesbaarCheckpoint("De handtekening heeft niet de lengte van een Ed25519-handtekening.")
    return {
        "volgnummer": volgnummer,
        "kop": kop,
        "tijdstip": moment,
        "sleutelId": ruw[:4].hex(),
        "handtekening": base64.b64encode(ruw[4:]).decode(),
    }


async def _laatste_checkpoint(request: Request, sessie: Sessie) -> dict[str, Any] | None:
    """The newest signed checkpoint (the gateway lists them oldest first)."""
    laatste, cursor = None, None
    for _ in range(20):
        antwoord = await gateway(request).checkpoints(sessie=sessie, cursor=cursor)
        if antwoord["checkpoints"]:
            laatste = antwoord["checkpoints"][-1]
        cursor = antwoord.get("volgende")
        if not cursor:
            break
    return laatste


async def _verificatie_pagina(
    request: Request, sessie: Sessie, *, bewaard: dict[str, str] | None = None, tekst: str = "",
    fouten: dict[str, list[str]] | None = None, detail: str = "",
) -> Response:  # fmt: skip
    client = gateway(request)
    verslag: dict[str, Any] = {}
    if not fouten:
        try:
            verslag = await client.verificatie(sessie=sessie, bewaard=bewaard)
        except Ongeldig as fout:
            # Every field the gateway names is part of the one pasted checkpoint.
            fouten = {
                "checkpoint": [f"{FILTERLABELS.get(k, k)}: {' '.join(v)}" for k, v in fout.velden.items()]
            }
            detail = fout.detail
    if fouten:
        verslag = await client.verificatie(sessie=sessie)
    laatste = await _laatste_checkpoint(request, sessie)
    eerste_fout = verslag.get("eersteFout")
    return pagina(
        "verificatie.html",
        status_code=400 if fouten else 200,
        titel="Verificatie van het verwerkingenlog",
        sessie=sessie,
        verslag=verslag,
        eerste_fout=eerste_fout,
        laatste=laatste,
        laatste_tijdstip=tijdstip(laatste["tijdstip"]) if laatste else "",
        bewaard_gecontroleerd=bewaard is not None and not fouten,
        fouten=fouten or {},
        detail=detail,
        labels=FILTERLABELS,
        tekst=tekst,
    )


@router.get("/verwerkingen/verificatie")
async def verificatie(request: Request) -> Response:
    return await _verificatie_pagina(request, await _fg(request))


@router.post("/verwerkingen/verificatie")
async def verificatie_met_checkpoint(request: Request) -> Response:
    sessie, formulier = await _ingelogd_formulier(request, SCOPE)
    tekst = formulier.get("checkpoint")
    tekst = tekst if isinstance(tekst, str) else ""
    try:
        bewaard = lees_checkpoint(tekst)
    except OnleesbaarCheckpoint as fout:
        return await _verificatie_pagina(
            request, sessie, tekst=tekst, fouten={"checkpoint": [str(fout)]},
            detail="Het checkpoint kon niet worden gelezen.",
        )  # fmt: skip
    return await _verificatie_pagina(request, sessie, bewaard=bewaard, tekst=tekst)


# --- access requests (inzage) --------------------------------------------------------------------

INZAGEVELDEN = ("bsn", "naam", "geboortedatum")


@router.get("/inzage")
async def inzage(request: Request) -> Response:
    sessie = await _fg(request)
    return pagina("inzage.html", titel="Inzageverzoek", sessie=sessie, labels=FILTERLABELS)


@router.post("/inzage")
async def inzage_beantwoorden(request: Request) -> Response:
    sessie, formulier = await _ingelogd_formulier(request, SCOPE)
    invoer = {}
    for veld in INZAGEVELDEN:
        waarde = formulier.get(veld)
        if isinstance(waarde, str) and waarde.strip():
            invoer[veld] = re.sub(r"[\s.]", "", waarde) if veld == "bsn" else waarde.strip()
    try:
        antwoord = await gateway(request).inzage(sessie=sessie, invoer=invoer)
    except Ongeldig as fout:
        # What was typed is not shown back: it identifies the person.
        return pagina(
            "inzage.html",
            status_code=400,
            titel="Inzageverzoek",
            sessie=sessie,
            labels=FILTERLABELS,
            fouten={k: v for k, v in fout.velden.items() if k in INZAGEVELDEN},
            overige_fouten=[r for k, v in fout.velden.items() if k not in INZAGEVELDEN for r in v],
            detail=fout.detail,
        )
    ontvangsten = [
        {
            "tijdstip": tijdstip(o["tijdstip"]),
            "afnemer": o["afnemer"],
            "actie": ACTIES.get(o["actie"], o["actie"]),
            "categorieen": ", ".join(c.replace("_", " ") for c in o.get("categorieen", [])),
            "doel": doel_label(o["doel"]),
            "grondslag": o["grondslag"],
            "volgnummer": o["volgnummer"],
        }
        for o in antwoord["ontvangsten"]
    ]
    return pagina(
        "inzage.html", titel="Inzageverzoek", sessie=sessie, labels=FILTERLABELS, ontvangsten=ontvangsten,
        beantwoord=True,
    )  # fmt: skip
