"""The werkplek's screens and its login: thin handlers over the session, the OIDC login and intake's API.

Every POST checks the session's CSRF token (a synchronizer token in a hidden field) and the Origin; every page
carries the werkplek's CSP. Nothing identifying goes into a title or a URL: a signal's page is found by its
opaque id, and the melder's own signals are kept in the session, not in the URL.
"""

from __future__ import annotations

import hmac
import logging
import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from meldroute_common.problems import Forbidden, NotFound
from starlette.datastructures import FormData

from werkplek import oidc
from werkplek.catalogus import VELDLABELS, CatalogusCache, hulpteksten, labels
from werkplek.config import CALLBACK_PAD, WerkplekSettings
from werkplek.dienst import DienstFout, NietIngelogd, Ongeldig
from werkplek.intake import Intake
from werkplek.paginas import CSP, STATISCH, STATUSSEN, datum, pagina, statisch_bestand
from werkplek.sessies import Sessie, Sessies

log = logging.getLogger("meldroute.werkplek")

SESSIE_COOKIE = "__Host-werkplek-sessie"
LOGIN_COOKIE = "__Host-werkplek-login"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

router = APIRouter(include_in_schema=False)


class Inloggen(Exception):
    """No (valid) session: the browser goes to the start page to log in."""


def _settings(request: Request) -> WerkplekSettings:
    settings: WerkplekSettings = request.app.state.settings
    return settings


def _sessies(request: Request) -> Sessies:
    sessies: Sessies = request.app.state.sessies
    return sessies


def _intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


async def _sessie(request: Request) -> Sessie | None:
    return await _sessies(request).lees(request.cookies.get(SESSIE_COOKIE))


async def _ingelogd(request: Request, scope: str | None = None) -> Sessie:
    sessie = await _sessie(request)
    if sessie is None:
        raise Inloggen
    if scope is not None and not sessie.mag(scope):
        raise Forbidden("Uw rol mag dit scherm niet gebruiken.")
    return sessie


def _controleer_post(request: Request, sessie: Sessie | None, formulier: FormData) -> None:
    """CSRF: the form's token must be the session's; what the browser says of the origin must agree.

    Under `Referrer-Policy: no-referrer` a browser sends `Origin: null` with a form, so only an Origin naming
    another site, or Fetch Metadata saying cross-site, is refused here; the token is the guarantee.
    """
    origin = request.headers.get("origin")
    if origin not in (None, "null", _settings(request).public_url):
        raise Forbidden("Dit formulier komt niet van de werkplek.")
    if request.headers.get("sec-fetch-site") in ("cross-site", "same-site"):
        raise Forbidden("Dit formulier komt niet van de werkplek.")
    token = formulier.get("csrf")
    if sessie is None or not isinstance(token, str) or not hmac.compare_digest(token, sessie.csrf):
        raise Forbidden("Het formulier is verlopen of niet van deze sessie; laad de pagina opnieuw.")


def geldige_id(waarde: str, wat: str = "Casus") -> str:
    """An id from a URL: an opaque UUID, or the 404 of what it names (never passed on to a service as typed)."""
    if not _UUID.match(waarde):
        raise NotFound(f"{wat} niet gevonden.")
    return waarde


async def _ingelogd_formulier(request: Request, scope: str) -> tuple[Sessie, FormData]:
    """A POSTed form of a logged-in user with `scope`, its CSRF token checked: how every form handler starts."""
    formulier = await request.form()
    sessie = await _ingelogd(request, scope)
    _controleer_post(request, sessie, formulier)
    return sessie, formulier


def _cookie(response: Response, naam: str, waarde: str, *, seconden: int, samesite: str) -> None:
    response.set_cookie(
        naam,
        waarde,
        max_age=seconden,
        path="/",
        secure=True,
        httponly=True,
        samesite=samesite,  # type: ignore[arg-type]
    )


def _wis_cookie(response: Response, naam: str, *, samesite: str) -> None:
    response.delete_cookie(naam, path="/", secure=True, httponly=True, samesite=samesite)  # type: ignore[arg-type]


def _token(sessie: Sessie) -> str:
    token = sessie.token("intake-api")
    if token is None:
        raise Inloggen
    return token


#: How a screen names a service whose token could not be obtained.
_DIENSTNAMEN = {
    "intake-api": "intake-api",
    "privacy-gateway": "de privacy-gateway",
    "reporting": "de rapportage",
}


async def met_token(request: Request, sessie: Sessie, dienst: str) -> Sessie:
    """The session with a token for `dienst` (a key of `WerkplekSettings.diensten`).

    The login token when it was valid for the service's audience; otherwise the login token exchanged at the
    provider for that audience (RFC 8693: the same user, role and scopes), once per session, then kept under the
    service like a login token. A provider that refuses is a 502 page: the screen cannot be used.
    """
    if sessie.token(dienst) is None:
        settings = _settings(request)
        try:
            token = await oidc.wissel_token(
                settings=settings,
                sessie=sessie,
                audience=settings.diensten[dienst],
                transport=request.app.state.oidc_transport,
            )
        except oidc.WisselMislukt as exc:
            naam = _DIENSTNAMEN.get(dienst, dienst)
            raise DienstFout(502, f"Het token voor {naam} kon niet worden verkregen.") from exc
        sessie.tokens[dienst] = token
        await _sessies(request).bewaar(sessie)
    return sessie


async def _catalogus(request: Request, sessie: Sessie) -> dict[str, Any]:
    cache: CatalogusCache = request.app.state.catalogus
    return await cache.lees(token=_token(sessie))


# --- start, login, logout ------------------------------------------------------------------------


@router.get("/")
async def start(request: Request) -> Response:
    sessie = await _sessie(request)
    gemeente_naam = ""
    if sessie is not None and sessie.gemeente:
        try:
            gemeente_naam = labels(await _catalogus(request, sessie), "gemeenten").get(sessie.gemeente, "")
        except DienstFout:
            gemeente_naam = sessie.gemeente
    melding = "U bent uitgelogd." if request.query_params.get("uitgelogd") == "1" and sessie is None else ""
    return pagina("start.html", titel="Start", sessie=sessie, gemeente_naam=gemeente_naam, melding=melding)


@router.get("/inloggen")
async def inloggen(request: Request) -> Response:
    settings = _settings(request)
    transactie = oidc.nieuwe_transactie()
    login_id = await _sessies(request).begin_login(transactie)
    response = RedirectResponse(oidc.autorisatie_url(settings, transactie), status_code=303)
    # Lax, not Strict: the provider's redirect back is a cross-site navigation, and this cookie must come along.
    _cookie(response, LOGIN_COOKIE, login_id, seconden=settings.login_seconden, samesite="lax")
    return response


@router.get(CALLBACK_PAD)
async def inloggen_terug(request: Request) -> Response:
    settings, sessies = _settings(request), _sessies(request)
    transactie = await sessies.neem_login(request.cookies.get(LOGIN_COOKIE))
    if request.query_params.get("error"):
        sessie = None
    else:
        try:
            sessie = await oidc.rond_login_af(
                settings=settings,
                transactie=transactie,
                code=request.query_params.get("code"),
                state=request.query_params.get("state"),
                verifier=request.app.state.token_verifier,
                diensten=request.app.state.dienst_verifiers,
                transport=request.app.state.oidc_transport,
            )
        except oidc.LoginMislukt as exc:
            log.warning("login mislukt: %s", exc)
            sessie = None
    if sessie is None:
        response = pagina(
            "fout.html",
            status_code=400,
            titel="Inloggen mislukt",
            uitleg="Het inloggen is niet gelukt of verlopen. Begin opnieuw bij de startpagina.",
        )
        _wis_cookie(response, LOGIN_COOKIE, samesite="lax")
        return response
    # A session id that existed before the login is dropped: the logged-in session always gets a new id.
    oud = request.cookies.get(SESSIE_COOKIE)
    if oud:
        await sessies.wis(oud)
    await sessies.bewaar(sessie)
    # A page, not a redirect: after the provider's cross-site redirect a Strict cookie is sent only on a
    # navigation that starts here (the refresh below, or the link).
    response = pagina("ingelogd.html", titel="Ingelogd")
    _cookie(response, SESSIE_COOKIE, sessie.id, seconden=settings.sessie_seconden, samesite="strict")
    _wis_cookie(response, LOGIN_COOKIE, samesite="lax")
    return response


@router.post("/uitloggen")
async def uitloggen(request: Request) -> Response:
    sessie = await _sessie(request)
    _controleer_post(request, sessie, await request.form())
    assert sessie is not None
    await _sessies(request).wis(sessie.id)
    verder = oidc.uitlog_url(_settings(request), sessie)
    response: Response
    if verder.startswith("/"):
        response = RedirectResponse(verder, status_code=303)
    else:
        # To the provider by a page, not a redirect: browsers apply the CSP's form-action 'self' to the
        # redirects of a form's answer, and the end-session endpoint is on the provider's origin.
        response = pagina("uitloggen.html", titel="Uitloggen", verder=verder)
    _wis_cookie(response, SESSIE_COOKIE, samesite="strict")
    return response


# --- melder --------------------------------------------------------------------------------------


def _invoer(formulier: FormData, sessie: Sessie) -> dict[str, Any]:
    """The request body for intake from the form: fields left empty are left out, so intake names them."""
    invoer: dict[str, Any] = {"gemeenteCode": sessie.gemeente or ""}
    for naam in ("melderDomein", "waargenomenOp", "sector", "locatietype", "omschrijving"):
        waarde = formulier.get(naam)
        if isinstance(waarde, str) and waarde.strip():
            invoer[naam] = waarde
    invoer["uitbuitingsvormen"] = [v for v in formulier.getlist("uitbuitingsvormen") if isinstance(v, str)]
    invoer["indicatoren"] = [v for v in formulier.getlist("indicatoren") if isinstance(v, str)]
    invoer["toestemming"] = formulier.get("toestemming") == "ja"
    return invoer


async def _formulier(
    request: Request,
    sessie: Sessie,
    *,
    waarden: dict[str, Any] | None = None,
    fout: Ongeldig | None = None,
) -> Response:
    catalogus = await _catalogus(request, sessie)
    velden = fout.velden if fout else {}
    bekend = {k: v for k, v in velden.items() if k in VELDLABELS and k != "gemeenteCode"}
    return pagina(
        "melden.html",
        status_code=400 if fout else 200,
        titel="Signaal melden",
        sessie=sessie,
        catalogus=catalogus,
        hulpteksten=hulpteksten(catalogus),
        labels=VELDLABELS,
        waarden={"uitbuitingsvormen": [], "indicatoren": [], **(waarden or {})},
        fouten=bekend,
        overige_fouten={VELDLABELS.get(k, k): v for k, v in velden.items() if k not in bekend},
        detail=fout.detail if fout else "",
        formulier=str(uuid.uuid4()),
    )


@router.get("/melden")
async def melden(request: Request) -> Response:
    sessie = await _ingelogd(request, "signalen:aanmaken")
    return await _formulier(request, sessie)


@router.post("/melden")
async def melden_versturen(request: Request) -> Response:
    sessie, formulier = await _ingelogd_formulier(request, "signalen:aanmaken")
    invoer = _invoer(formulier, sessie)
    sleutel = formulier.get("formulier")
    idempotentie = sleutel if isinstance(sleutel, str) and _UUID.match(sleutel) else str(uuid.uuid4())
    try:
        signaal = await _intake(request).signaal_aanmaken(
            token=_token(sessie), invoer=invoer, idempotentie=f"werkplek-{idempotentie}"
        )
    except Ongeldig as fout:
        return await _formulier(request, sessie, waarden=invoer, fout=fout)
    except NietIngelogd:
        raise Inloggen from None
    if signaal["id"] not in sessie.eigen_signalen:
        sessie.eigen_signalen.insert(0, signaal["id"])
        await _sessies(request).bewaar(sessie)
    return RedirectResponse("/melden/bevestiging", status_code=303)


@router.get("/melden/bevestiging")
async def bevestiging(request: Request) -> Response:
    sessie = await _ingelogd(request, "signalen:aanmaken")
    if not sessie.eigen_signalen:
        return RedirectResponse("/melden", status_code=303)
    status = await _intake(request).status(token=_token(sessie), signaal_id=sessie.eigen_signalen[0])
    return pagina(
        "bevestiging.html",
        titel="Signaal ontvangen",
        sessie=sessie,
        ontvangen=datum(status["sinds"]),
        status=STATUSSEN.get(status["status"], status["status"]),
    )


@router.get("/mijn-signalen")
async def mijn_signalen(request: Request) -> Response:
    sessie = await _ingelogd(request, "signalen:aanmaken")
    regels = []
    for signaal_id in sessie.eigen_signalen:
        status = await _intake(request).status(token=_token(sessie), signaal_id=signaal_id)
        regels.append(
            {"status": STATUSSEN.get(status["status"], status["status"]), "sinds": datum(status["sinds"])}
        )
    return pagina("mijn_signalen.html", titel="Mijn signalen", sessie=sessie, regels=regels)


# --- attention officer: `werkplek.afhandeling` ---------------------------------------------------


@router.get("/static/{naam}")
async def statisch(naam: str) -> Response:
    if naam not in STATISCH:
        raise NotFound("Bestand niet gevonden.")
    return Response(
        statisch_bestand(naam),
        media_type=STATISCH[naam],
        headers={"Content-Security-Policy": CSP, "Cache-Control": "public, max-age=3600"},
    )
