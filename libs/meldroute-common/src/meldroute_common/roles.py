"""Roles are named bundles of scopes; the development issuer and the CLI mint tokens per role."""

from __future__ import annotations

from dataclasses import dataclass

from meldroute_common.auth import Scope


@dataclass(frozen=True, slots=True)
class Rol:
    naam: str
    scopes: tuple[Scope, ...]
    audience: str
    #: Which claim identifies where the user belongs: `gemeente`, `organisatie` or neither (a service).
    claim: str | None
    is_service: bool = False


ROLLEN: dict[str, Rol] = {
    r.naam: r
    for r in (
        Rol("melder", (Scope.signalen_aanmaken,), "intake-api", "gemeente"),
        Rol(
            "aandachtsfunctionaris",
            (
                Scope.signalen_aanmaken,
                Scope.signalen_lezen,
                Scope.signalen_beoordelen,
                Scope.identiteit_verzoeken,
                # For the privacy gateway (a token minted for its audience): the policy and the dry-run.
                Scope.beleid_lezen,
                # For reporting (a token minted for its audience): the regional figures and the intervisie.
                Scope.statistieken_lezen,
                Scope.abonnementen_beheren,
            ),
            "intake-api",
            "gemeente",
        ),
        Rol(
            "partner",
            (
                Scope.casussen_lezen,
                Scope.casussen_terugkoppelen,
                Scope.identiteit_verzoeken,
                Scope.beleid_lezen,
                Scope.abonnementen_beheren,
            ),
            "privacy-gateway",
            "organisatie",
        ),
        Rol(
            "goedkeurder",
            (Scope.casussen_lezen, Scope.identiteit_goedkeuren, Scope.beleid_lezen),
            "privacy-gateway",
            "organisatie",
        ),
        Rol("fg", (Scope.verwerkingen_lezen,), "privacy-gateway", None),
        Rol("beleidsmedewerker", (Scope.statistieken_lezen,), "reporting", None),
        # Prometheus: /metrics of each service (mint one token per audience with --aud).
        Rol("monitoring", (Scope.metrics_lezen,), "intake-api", None),
        # Service clients: the token's `sub` is the client id.
        Rol("intake-api", (Scope.rapportage_invoeren,), "reporting", None, is_service=True),
        Rol("privacy-gateway", (Scope.intake_intern,), "intake-api", None, is_service=True),
    )
}
