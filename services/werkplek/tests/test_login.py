"""The backend for frontend: login with code + PKCE, the session cookie, CSRF, logout; no token ever in the browser."""

from __future__ import annotations

import html
import json
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
from meldroute_common.devissuer import DevIssuer, DevIssuerRefused
from meldroute_common.devlogin import DevLogin, s256
from meldroute_common.settings import Omgeving
from werkplek.sessies import GeheugenOpslag, Sessies
from werkplek.web import LOGIN_COOKIE, SESSIE_COOKIE

from .conftest import BASIS, Werkplek, werkplek_settings


def _set_cookies(response: object) -> dict[str, str]:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return {header.split("=", 1)[0]: header for header in headers}


def _opslag(werkplek: Werkplek) -> dict[str, tuple[str, float]]:
    sessies: Sessies = werkplek.app.state.sessies
    assert isinstance(sessies.opslag, GeheugenOpslag)
    return sessies.opslag.waarden


async def test_login_uses_the_code_flow_with_pkce_and_keeps_the_verifier_on_the_server(
    werkplek: Werkplek,
) -> None:
    start = await werkplek.browser.get("/inloggen")
    assert start.status_code == 303
    url = urlsplit(start.headers["location"])
    assert f"{url.scheme}://{url.netloc}" == BASIS and url.path == "/dev-login/authorize"
    vraag = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert vraag["response_type"] == "code" and vraag["code_challenge_method"] == "S256"
    assert vraag["redirect_uri"] == f"{BASIS}/inloggen/terug" and vraag["client_id"] == "werkplek"
    assert len(vraag["code_challenge"]) == 43 and vraag["state"] and vraag["nonce"]
    assert "code_verifier" not in vraag
    # The login cookie holds only the transaction's id; the verifier is in the store, its challenge in the URL.
    login = _set_cookies(start)[LOGIN_COOKIE]
    assert "HttpOnly" in login and "Secure" in login and "SameSite=lax" in login
    transacties = [json.loads(v) for k, (v, _) in _opslag(werkplek).items() if k.startswith("login:")]
    assert len(transacties) == 1 and s256(transacties[0]["code_verifier"]) == vraag["code_challenge"]
    assert transacties[0]["code_verifier"] not in start.headers["location"]


async def test_a_code_is_exchanged_once_and_only_with_its_verifier(
    werkplek: Werkplek, issuer: DevIssuer
) -> None:
    start = await werkplek.browser.get("/inloggen")
    pagina = await werkplek.browser.get(start.headers["location"])
    verzoek = re.search(r'name="verzoek" value="([^"]+)"', pagina.text)
    assert verzoek and "aandachtsfunctionaris" in pagina.text and "intake-api" not in pagina.text
    keuze = await werkplek.browser.post(
        "/dev-login/authorize", data={"verzoek": verzoek.group(1), "rol": "melder"}
    )
    code = parse_qs(urlsplit(keuze.headers["location"]).query)["code"][0]
    ruil = {"grant_type": "authorization_code", "code": code, "redirect_uri": f"{BASIS}/inloggen/terug",
            "client_id": "werkplek", "code_verifier": "x" * 43}  # fmt: skip
    fout = await werkplek.browser.post("/dev-login/token", data=ruil)
    assert fout.status_code == 400 and fout.json() == {"error": "invalid_grant"}
    # The refused attempt used the code up: the callback cannot complete this login either.
    terug = await werkplek.browser.get(keuze.headers["location"])
    assert terug.status_code == 400 and SESSIE_COOKIE not in _set_cookies(terug)
    # The pending request was single-use too.
    again = await werkplek.browser.post(
        "/dev-login/authorize", data={"verzoek": verzoek.group(1), "rol": "melder"}
    )
    assert again.status_code == 400


async def test_callback_without_its_transaction_or_with_another_state_logs_nobody_in(
    werkplek: Werkplek,
) -> None:
    start = await werkplek.browser.get("/inloggen")
    pagina = await werkplek.browser.get(start.headers["location"])
    verzoek = re.search(r'name="verzoek" value="([^"]+)"', pagina.text)
    assert verzoek
    keuze = await werkplek.browser.post(
        "/dev-login/authorize", data={"verzoek": verzoek.group(1), "rol": "melder"}
    )
    vervalst = keuze.headers["location"].replace("state=", "state=x")
    terug = await werkplek.browser.get(vervalst)
    assert terug.status_code == 400 and SESSIE_COOKIE not in werkplek.browser.cookies
    assert not [k for k in _opslag(werkplek) if k.startswith("sessie:")]


async def test_session_cookie_is_httponly_secure_strict_and_only_an_id(werkplek: Werkplek) -> None:
    terug = await werkplek.inloggen("melder")
    cookie = _set_cookies(terug)[SESSIE_COOKIE]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    waarde = SimpleCookie(cookie)[SESSIE_COOKIE].value
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", waarde)  # 256 random bits, nothing else
    # The login cookie is removed, and the page continues by a navigation of its own (Strict after cross-site).
    assert (
        "max-age=0" in _set_cookies(terug)[LOGIN_COOKIE].lower()
        or "expires=" in _set_cookies(terug)[LOGIN_COOKIE].lower()
    )
    assert '<meta http-equiv="refresh" content="0;url=/">' in terug.text
    # The store keys on a hash of the id: a copy of the store holds no working cookie value.
    assert not [k for k in _opslag(werkplek) if waarde in k]


async def test_login_rotates_the_session_id_and_drops_the_old_session(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    eerste = werkplek.browser.cookies[SESSIE_COOKIE]
    await werkplek.inloggen("melder")
    tweede = werkplek.browser.cookies[SESSIE_COOKIE]
    assert eerste != tweede
    assert len([k for k in _opslag(werkplek) if k.startswith("sessie:")]) == 1
    # A session id planted before a login (session fixation) is not what the login hands out.
    werkplek.browser.cookies.clear()
    werkplek.browser.cookies.set(SESSIE_COOKIE, "geplant-door-aanvaller", domain="werkplek.test")
    await werkplek.inloggen("melder")
    assert werkplek.browser.cookies[SESSIE_COOKIE] != "geplant-door-aanvaller"


async def test_every_post_needs_the_sessions_csrf_token_and_our_origin(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    formulier = await werkplek.browser.get("/melden")
    csrf = werkplek.csrf(formulier.text)
    body = {"melderDomein": "toezicht", "formulier": "00000000-0000-4000-8000-000000000000"}
    assert (await werkplek.browser.post("/melden", data=body)).status_code == 403
    ander_teken = "B" if csrf[0] != "B" else "C"
    assert (
        await werkplek.browser.post("/melden", data={**body, "csrf": ander_teken + csrf[1:]})
    ).status_code == 403
    anders = await werkplek.browser.post(
        "/melden", data={**body, "csrf": csrf}, headers={"Origin": "https://evil.test"}
    )
    assert anders.status_code == 403
    assert anders.headers["content-type"].startswith("application/problem+json")
    site = await werkplek.browser.post(
        "/melden", data={**body, "csrf": csrf}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert site.status_code == 403
    assert (await werkplek.browser.post("/uitloggen", data={})).status_code == 403
    # Still logged in: a refused logout changes nothing.
    assert (await werkplek.browser.get("/melden")).status_code == 200
    # Another session's token is not this session's.
    ander = werkplek.browser.cookies[SESSIE_COOKIE]
    await werkplek.inloggen("melder")
    assert werkplek.browser.cookies[SESSIE_COOKIE] != ander
    assert (await werkplek.browser.post("/uitloggen", data={"csrf": csrf})).status_code == 403


async def test_logout_deletes_the_session_and_the_cookie_and_ends_it_at_the_provider(
    werkplek: Werkplek,
) -> None:
    await werkplek.inloggen("aandachtsfunctionaris")
    waarde = werkplek.browser.cookies[SESSIE_COOKIE]
    (sessie,) = [json.loads(v) for k, (v, _) in _opslag(werkplek).items() if k.startswith("sessie:")]
    csrf = werkplek.csrf((await werkplek.browser.get("/wachtrij")).text)
    uit = await werkplek.browser.post("/uitloggen", data={"csrf": csrf})
    assert not [k for k in _opslag(werkplek) if k.startswith("sessie:")]
    assert SESSIE_COOKIE not in werkplek.browser.cookies
    # RP-initiated logout: on to the (development) provider's end-session endpoint with the ID token as hint,
    # by a page rather than a redirect (the CSP's form-action 'self' would stop a redirect to the provider).
    assert uit.status_code == 200 and "location" not in uit.headers
    assert "form-action 'self'" in uit.headers["content-security-policy"]
    verder = re.search(r'<meta http-equiv="refresh" content="0;url=([^"]+)">', uit.text)
    assert verder, uit.text
    naar = html.unescape(verder.group(1))
    assert f'href="{verder.group(1)}"' in uit.text, "a link too, for a browser that does not refresh"
    url = urlsplit(naar)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{BASIS}/dev-login/logout"
    vraag = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert vraag == {
        "id_token_hint": sessie["id_token"],
        "post_logout_redirect_uri": f"{BASIS}/?uitgelogd=1",
        "client_id": "werkplek",
    }
    assert sessie["id_token"] not in json.dumps(sessie["tokens"]), "the hint is the ID token, no access token"
    assert 'action="/uitloggen"' not in uit.text and 'name="csrf"' not in uit.text, "nobody is logged in"
    terug = await werkplek.browser.get(naar)
    assert terug.status_code == 303 and terug.headers["location"] == f"{BASIS}/?uitgelogd=1"
    start = await werkplek.browser.get(terug.headers["location"])
    assert "U bent uitgelogd." in start.text and "Inloggen" in start.text
    # The old id is worth nothing now, also when a copy of the cookie is replayed.
    werkplek.browser.cookies.set(SESSIE_COOKIE, waarde, domain="werkplek.test")
    weer = await werkplek.browser.get("/wachtrij")
    assert weer.status_code == 303 and weer.headers["location"] == "/"


async def test_no_token_ever_reaches_the_browser(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    pagina = await werkplek.browser.get("/melden")
    await werkplek.browser.post(
        "/melden",
        data={"csrf": werkplek.csrf(pagina.text), "melderDomein": "toezicht", "waargenomenOp": "2026-10-01",
              "uitbuitingsvormen": "arbeid", "sector": "bouw", "locatietype": "woning",
              "formulier": "00000000-0000-4000-8000-000000000001"},
    )  # fmt: skip
    await werkplek.browser.get("/mijn-signalen")
    sessies = [json.loads(v) for k, (v, _) in _opslag(werkplek).items() if k.startswith("sessie:")]
    tokens = [t for s in sessies for t in s["tokens"].values()]
    assert tokens and all(t.count(".") == 2 for t in tokens)
    # Everything the browser got, from the first redirect to the last page, excluding the token endpoint
    # (that is the werkplek's own server-to-server call, never made by the browser).
    assert werkplek.antwoorden
    for antwoord in werkplek.antwoorden:
        assert "/dev-login/token" not in str(antwoord.request.url)
        alles = antwoord.text + "\n".join(f"{k}: {v}" for k, v in antwoord.headers.multi_items())
        for token in tokens:
            assert token not in alles and token.split(".")[1] not in alles
        assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ", alles), str(antwoord.request.url)
    assert set(werkplek.browser.cookies.keys()) == {SESSIE_COOKIE}


async def test_pages_carry_the_security_headers_and_a_script_free_csp(werkplek: Werkplek) -> None:
    start = await werkplek.browser.get("/")
    csp = start.headers["content-security-policy"]
    assert (
        "default-src 'none'" in csp
        and "script" not in csp
        and "unsafe" not in csp
        and "form-action 'self'" in csp
    )
    assert start.headers["cache-control"] == "no-store" and start.headers["x-frame-options"] == "DENY"
    assert start.headers["referrer-policy"] == "no-referrer" and "api-version" in start.headers
    assert '<html lang="nl"' in start.text and "http://" not in start.text.replace("http://www.w3.org", "")
    css = await werkplek.browser.get("/static/nlds.css")
    assert css.status_code == 200 and ".utrecht-button" in css.text and ".voorbeeld-theme" in css.text
    assert (await werkplek.browser.get("/static/..%2Fconfig.py")).status_code == 404
    onbekend = await werkplek.browser.get("/bestaat-niet")
    assert onbekend.status_code == 404 and onbekend.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert (await werkplek.browser.get("/health/live")).json()["dienst"] == "werkplek"


def test_production_refuses_the_development_login_and_missing_settings(local_dir: object) -> None:
    settings = werkplek_settings(
        local_dir,
        env=Omgeving.production,
        jwks_url="https://idp.example/jwks",
        public_url="http://werkplek.test",  # type: ignore[arg-type]
    )
    problemen = " ".join(settings.unsafe_in_production())
    for naam in ("WERKPLEK_OIDC_AUTHORIZATION_URL", "WERKPLEK_OIDC_TOKEN_URL", "MELDROUTE_REDIS_URL",
                 "WERKPLEK_PUBLIC_URL", "MELDROUTE_OIDC_ISSUER"):  # fmt: skip
        assert naam in problemen
    with pytest.raises(DevIssuerRefused):
        DevLogin.start(issuer=None, env=Omgeving.production, clients={})  # type: ignore[arg-type]


def test_a_production_start_stops_with_one_line_per_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from meldroute_common.settings import load_settings
    from werkplek.config import WerkplekSettings

    monkeypatch.setenv("MELDROUTE_ENV", "production")
    monkeypatch.setenv("MELDROUTE_JWKS_URL", "https://idp.example/jwks")
    with pytest.raises(SystemExit) as stop:
        load_settings(WerkplekSettings)
    assert stop.value.code == 2
    fout = capsys.readouterr().err
    assert fout.startswith("werkplek start niet: ") and "WERKPLEK_OIDC_TOKEN_URL ontbreekt" in fout


async def test_every_post_route_of_every_screen_refuses_a_form_without_the_sessions_token(
    werkplek: Werkplek,
) -> None:
    """The attacker's sweep: every POST route of the screens (`SCHERMEN`, the list the app is built from, so a new
    form is covered the day it is added), for every role, with no token and with a forged one: 403 and nothing done. A role
    lacking the route's scope meets the scope check first; every route must meet the CSRF check for some role."""

    from werkplek.main import SCHERMEN

    posts = [
        r.path
        for scherm in SCHERMEN
        for r in scherm.routes
        if "POST" in (getattr(r, "methods", None) or set())
    ]
    assert len(posts) >= 15, posts  # the screens' forms: a sweep over nothing would prove nothing
    id_ = "00000000-0000-4000-8000-000000000000"
    csrf_geweigerd: set[str] = set()
    for rol in DevLogin.rollen():
        await werkplek.inloggen(rol)
        for pad in posts:
            url = re.sub(r"\{[^}]+\}", id_, pad)
            for formulier in ({}, {"csrf": "vervalst"}):
                antwoord = await werkplek.browser.post(url, data=formulier)
                assert antwoord.status_code == 403, (rol, pad, antwoord.status_code, antwoord.text[:300])
                if "niet van deze sessie" in antwoord.text:
                    csrf_geweigerd.add(pad)
    assert csrf_geweigerd == set(posts), set(posts) - csrf_geweigerd
