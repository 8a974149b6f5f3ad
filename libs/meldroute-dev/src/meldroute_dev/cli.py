"""The `meldroute` command: development tokens and keys, running the stack locally, the OpenAPI documents."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import httpx
import typer
from meldroute_common.devissuer import DevIssuer, DevIssuerRefused
from meldroute_common.devkeys import ensure_dev_keys
from meldroute_common.roles import ROLLEN
from meldroute_common.settings import ServiceSettings
from pydantic import ValidationError

from meldroute_dev.services import ALLE_DIENSTEN, DIENSTEN, WERKPLEK

app = typer.Typer(
    help="meldroute: hulpmiddelen voor ontwikkeling.", no_args_is_help=True, add_completion=False
)

#: Example tokens per role for the start-up banner: (role, audience, claims, method, path).
_VOORBEELDEN = (
    ("melder", "intake-api", "--gemeente GM1509", "GET", "/v1/catalogus"),
    ("aandachtsfunctionaris", "intake-api", "--gemeente GM1509", "GET", "/v1/signalen"),
    # The same role's token for reporting: the own municipality's figures next to the region's.
    (
        "aandachtsfunctionaris",
        "reporting",
        "--gemeente GM1509",
        "GET",
        "/v1/statistieken/intervisie?periode=jaar",
    ),
    ("partner", "privacy-gateway", "--organisatie riec-oost-nederland", "GET", "/v1/casussen"),
    ("goedkeurder", "privacy-gateway", "--organisatie riec-oost-nederland", "GET", "/v1/beleid"),
    ("fg", "privacy-gateway", "", "GET", "/v1/verwerkingen/verificatie"),
    (
        "beleidsmedewerker",
        "reporting",
        "",
        "GET",
        "/v1/statistieken/signalen?groeperenOp=gemeente&periode=jaar",
    ),
)


def banner_voorbeelden(*, omgeving: str, host: str) -> str:
    """Example calls with development tokens: only in development, where the development issuer signs them."""
    if omgeving != "development":
        return f"\nTokens komen van de OIDC-provider (MELDROUTE_ENV={omgeving}); geen ontwikkelvoorbeelden."
    regels = ["\nVoorbeelden (een token per rol):"]
    for rol, aud, extra, method, path in _VOORBEELDEN:
        port = next(d.port for d in DIENSTEN if d.naam == aud)
        regels.append(
            f'  curl -X {method} -H "Authorization: Bearer $(.venv/bin/meldroute token --rol {rol} {extra} --aud {aud})"'
            f" 'http://{host}:{port}{path}'"
        )
    return "\n".join(regels)


def wacht_tot_gereed(
    *, urls: dict[str, str], processes: list[subprocess.Popen[bytes]], timeout: float = 90.0
) -> list[str]:
    """Poll every service's /health/ready until all answer 200; what is not ready (empty when all are).

    A service whose process stops is not waited for: it is reported at once, with its exit code.
    """
    wachtend = dict(zip(urls, processes, strict=True))
    laatste: dict[str, str] = dict.fromkeys(urls, "geen antwoord")
    deadline = time.monotonic() + timeout
    while wachtend and time.monotonic() < deadline:
        for naam, process in list(wachtend.items()):
            if process.poll() is not None:
                return [f"{naam} is gestopt (code {process.returncode})"]
            try:
                antwoord = httpx.get(f"{urls[naam]}/health/ready", timeout=2.0)
            except httpx.HTTPError:
                continue
            if antwoord.status_code == 200:
                del wachtend[naam]
            else:
                laatste[naam] = f"/health/ready {antwoord.status_code}"
        if wachtend:
            time.sleep(0.2)
    return [f"{naam} ({laatste[naam]})" for naam in wachtend]


def _settings() -> ServiceSettings:
    """The shared settings, or one line naming what is wrong with them (exit code 2), never a traceback."""
    try:
        return ServiceSettings()
    except ValidationError as exc:
        probe = ServiceSettings.model_construct()
        regels = []
        for error in exc.errors():
            melding = str(error["msg"]).removeprefix("Value error, ")
            veld = error["loc"][0] if error["loc"] else None
            if isinstance(veld, str):
                naam = probe.env_name(veld) if veld in ServiceSettings.model_fields else veld
                melding = f"{naam}: {melding}"
            regels.append(melding)
        problemen = "; ".join(regels)
        typer.echo(f"fout: {problemen}", err=True)
        raise typer.Exit(2) from None


def _issuer() -> DevIssuer:
    settings = _settings()
    return DevIssuer.load(local_dir=settings.local_dir, env=settings.env, issuer=settings.oidc_issuer)


@app.command()
def token(
    rol: Annotated[str, typer.Option(help=f"Rol: {', '.join(ROLLEN)}.")],
    gemeente: Annotated[str | None, typer.Option(help="CBS-gemeentecode, bv. GM1509.")] = None,
    organisatie: Annotated[str | None, typer.Option(help="Partner-id uit het convenantbeleid.")] = None,
    aud: Annotated[str | None, typer.Option(help="Dienst: intake-api, privacy-gateway of reporting.")] = None,
    sub: Annotated[str | None, typer.Option(help="Gebruikers-id (standaard een willekeurige).")] = None,
    geldig: Annotated[int, typer.Option(help="Geldigheid in seconden.")] = 3600,
) -> None:
    """Print een token van de ontwikkel-issuer."""
    try:
        typer.echo(
            _issuer().mint(
                rol=rol,
                gemeente=gemeente,
                organisatie=organisatie,
                audience=aud,
                sub=sub,
                lifetime_seconds=geldig,
            )
        )
    except (DevIssuerRefused, ValueError) as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command("dev-keys")
def dev_keys() -> None:
    """Maak de ontwikkelsleutels aan in de lokale map (als ze er nog niet zijn)."""
    settings = _settings()
    try:
        written = ensure_dev_keys(local_dir=settings.local_dir, env=settings.env, issuer=settings.oidc_issuer)
    except DevIssuerRefused as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"ontwikkelsleutels in {written}")


@app.command()
def migrate(root: Annotated[Path, typer.Option(help="De hoofdmap van de repository.")] = Path()) -> None:
    """Breng de database van elke dienst naar de laatste migratie (alembic upgrade head)."""
    for dienst in DIENSTEN:
        ini = dienst.folder(root) / "alembic.ini"
        subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"], check=True)  # noqa: S603
        typer.echo(f"{dienst.naam}: gemigreerd")


@app.command()
def dev(
    host: Annotated[str, typer.Option(help="Adres om op te luisteren.")] = "127.0.0.1",
) -> None:
    """Start de drie diensten en de werkplek lokaal (SQLite); Ctrl-C stopt ze alle vier."""
    omgeving = os.environ.get("MELDROUTE_ENV", "development")
    diensten = ALLE_DIENSTEN
    processes = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", d.factory, "--factory", "--host", host, "--port", str(d.port),
             "--no-access-log"],
            env={**os.environ, "MELDROUTE_ENV": omgeving},
        )
        for d in diensten
    ]  # fmt: skip

    def stop(*_: object) -> None:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        raise typer.Exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        niet_gereed = wacht_tot_gereed(
            urls={d.naam: f"http://{host}:{d.port}" for d in diensten}, processes=processes
        )
    except KeyboardInterrupt:
        stop()
    if niet_gereed:
        typer.echo(f"niet gereed: {'; '.join(niet_gereed)}; de diensten worden gestopt", err=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        raise typer.Exit(1)
    typer.echo("\nmeldroute draait:")
    for d in DIENSTEN:
        typer.echo(f"  {d.naam:16} http://{host}:{d.port}/v1/openapi.json")
    # localhost, not 127.0.0.1: the browser keeps the Secure session cookie on http only for localhost.
    typer.echo(f"  {WERKPLEK.naam:16} http://localhost:{WERKPLEK.port}/ (inloggen met een ontwikkelrol)")
    typer.echo(banner_voorbeelden(omgeving=omgeving, host=host))
    typer.echo("\nCtrl-C stopt ze alle vier.")
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        typer.echo("een dienst is gestopt; de andere worden ook gestopt", err=True)
        stop()
    except KeyboardInterrupt:
        stop()


#: The NL Design System style sheet the werkplek serves: the open example theme's tokens and the components.
WERKPLEK_CSS_BRONNEN = (
    Path("node_modules/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css"),
    Path("node_modules/@utrecht/component-library-css/dist/index.css"),
)
WERKPLEK_CSS = Path("services/werkplek/src/werkplek/static/nlds.css")


def werkplek_css_bundel(root: Path) -> str:
    """The werkplek's style sheet from the npm packages (`npm ci` first), with where each part comes from."""
    delen = [
        f"/* {bron.relative_to('node_modules')} */\n{(root / bron).read_text()}"
        for bron in WERKPLEK_CSS_BRONNEN
    ]
    return "\n".join(delen)


@app.command("werkplek-css")
def werkplek_css(
    root: Annotated[Path, typer.Option(help="De hoofdmap van de repository.")] = Path(),
    check: Annotated[bool, typer.Option(help="Niet schrijven; faal als de bundel afwijkt.")] = False,
) -> None:
    """Bundel de NL Design System-stijl voor de werkplek (uit node_modules); geen CDN."""
    bundel = werkplek_css_bundel(root)
    doel = root / WERKPLEK_CSS
    if check:
        if not doel.is_file() or doel.read_text() != bundel:
            typer.echo(
                f"{WERKPLEK_CSS} wijkt af van de npm-pakketten; draai `meldroute werkplek-css`", err=True
            )
            raise typer.Exit(1)
        return
    doel.write_text(bundel)
    typer.echo(f"{WERKPLEK_CSS} geschreven")


@app.command()
def openapi(
    out: Annotated[Path, typer.Option(help="Map voor de documenten.")] = Path("openapi"),
    check: Annotated[bool, typer.Option(help="Niet schrijven; faal als de documenten afwijken.")] = False,
) -> None:
    """Schrijf (of controleer) openapi/<dienst>.json vanuit de apps."""
    os.environ.setdefault("MELDROUTE_ENV", "test")
    # Building an app checks its key files; the documents need none of them, so development keys will do.
    settings = _settings()
    ensure_dev_keys(local_dir=settings.local_dir, env=settings.env, issuer=settings.oidc_issuer)
    differ = []
    for dienst in DIENSTEN:
        document = json.dumps(dienst.create_app().openapi(), indent=2, ensure_ascii=False) + "\n"
        path = out / f"{dienst.naam}.json"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != document:
                differ.append(path.name)
        else:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(document, encoding="utf-8")
            typer.echo(f"geschreven: {path}")
    if differ:
        typer.echo(f"wijkt af van de code: {', '.join(differ)} (draai `make openapi`)", err=True)
        raise typer.Exit(1)
