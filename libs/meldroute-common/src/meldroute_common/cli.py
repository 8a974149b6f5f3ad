"""The `meldroute` command: development tokens and keys."""

from __future__ import annotations

from typing import Annotated

import typer

from meldroute_common.devissuer import DevIssuer, DevIssuerRefused
from meldroute_common.devkeys import ensure_dev_keys
from meldroute_common.roles import ROLLEN
from meldroute_common.settings import ServiceSettings

app = typer.Typer(help="meldroute: hulpmiddelen voor ontwikkeling.", no_args_is_help=True, add_completion=False)


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
    settings = ServiceSettings()
    try:
        issuer = DevIssuer.load(local_dir=settings.local_dir, env=settings.env, issuer=settings.oidc_issuer)
        typer.echo(
            issuer.mint(
                rol=rol, gemeente=gemeente, organisatie=organisatie, audience=aud, sub=sub, lifetime_seconds=geldig
            )
        )
    except (DevIssuerRefused, ValueError) as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command("dev-keys")
def dev_keys() -> None:
    """Maak de ontwikkelsleutels aan in de lokale map (als ze er nog niet zijn)."""
    settings = ServiceSettings()
    try:
        written = ensure_dev_keys(local_dir=settings.local_dir, env=settings.env, issuer=settings.oidc_issuer)
    except DevIssuerRefused as exc:
        typer.echo(f"fout: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"ontwikkelsleutels in {written}")
