"""Authentication and scopes as FastAPI dependencies.

Routes declare what they need with the `Annotated` aliases at the bottom, e.g.
`async def lijst(claims: SignalenLezen) -> ...`; the scope then also appears in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2, SecurityScopes

from meldroute_common.jwt import TokenError, TokenVerifier
from meldroute_common.problems import Forbidden, Unauthorized


class Scope(StrEnum):
    signalen_aanmaken = "signalen:aanmaken"
    signalen_lezen = "signalen:lezen"
    signalen_beoordelen = "signalen:beoordelen"
    intake_intern = "intake:intern"
    casussen_lezen = "casussen:lezen"
    casussen_terugkoppelen = "casussen:terugkoppelen"
    beleid_lezen = "beleid:lezen"
    abonnementen_beheren = "abonnementen:beheren"
    identiteit_verzoeken = "identiteit:verzoeken"
    identiteit_goedkeuren = "identiteit:goedkeuren"
    verwerkingen_lezen = "verwerkingen:lezen"
    rapportage_invoeren = "rapportage:invoeren"
    statistieken_lezen = "statistieken:lezen"
    metrics_lezen = "metrics:lezen"


SCOPE_DESCRIPTIONS: dict[str, str] = {
    Scope.signalen_aanmaken: "Een signaal vastleggen voor de eigen gemeente (melder).",
    Scope.signalen_lezen: "De gepseudonimiseerde signalen van de eigen gemeente lezen (aandachtsfunctionaris).",
    Scope.signalen_beoordelen: "Signalen beoordelen en opschalen naar partners (aandachtsfunctionaris).",
    Scope.intake_intern: "Interne casusgegevens inclusief verzegelde identiteit (alleen de privacy-gateway).",
    Scope.casussen_lezen: "Casussen lezen die het convenantbeleid deze partner toestaat.",
    Scope.casussen_terugkoppelen: "Terugkoppelen op een casus, een vervolgdoel vragen en advies geven (partner).",
    Scope.beleid_lezen: "Het convenantbeleid lezen en een opschaling vooraf toetsen.",
    Scope.abonnementen_beheren: "De abonnementen op meldingen (webhook of e-mail) van de eigen gemeente of organisatie beheren.",
    Scope.identiteit_verzoeken: "Om verstrekking van identiteit vragen, met doel en reden.",
    Scope.identiteit_goedkeuren: "Het identiteitsverzoek van een ander goedkeuren (vier ogen).",
    Scope.verwerkingen_lezen: "Het verwerkingenlog, de verificatie ervan en inzageverzoeken (FG).",
    Scope.rapportage_invoeren: "Anonieme gebeurtenissen aanleveren aan rapportage (alleen intake-api).",
    Scope.statistieken_lezen: "Onderdrukte statistieken, de intervisie en het dashboard lezen (beleidsmedewerker, aandachtsfunctionaris).",
    Scope.metrics_lezen: "De Prometheus-metrics van een dienst lezen (monitoring).",
}


@dataclass(frozen=True, slots=True)
class Claims:
    """The verified identity of a caller."""

    sub: str
    scopes: frozenset[str]
    gemeente: str | None
    organisatie: str | None
    client_id: str | None
    exp: int

    @classmethod
    def from_token(
        cls,
        claims: dict[str, Any],
        *,
        scope_claims: Sequence[str] = ("scope",),
        gemeente_claim: str = "gemeente",
        organisatie_claim: str = "organisatie",
    ) -> Claims:
        """The caller from verified claims; the claim names are the provider's (settings `MELDROUTE_*_CLAIM`)."""
        scopes: set[str] = set()
        for name in scope_claims:
            value = claims.get(name)
            if isinstance(value, str):
                scopes.update(value.split())
            elif isinstance(value, list):
                scopes.update(v for v in value if isinstance(v, str) and v and " " not in v)
        gemeente, organisatie = claims.get(gemeente_claim), claims.get(organisatie_claim)
        client = claims.get("client_id", claims.get("azp"))
        return cls(
            sub=str(claims["sub"]),
            scopes=frozenset(scopes),
            gemeente=gemeente if isinstance(gemeente, str) else None,
            organisatie=organisatie if isinstance(organisatie, str) else None,
            client_id=client if isinstance(client, str) else None,
            exp=int(claims["exp"]),
        )


def scope_claim_names(value: str) -> tuple[str, ...]:
    """`scope`, or several claims comma-separated (`scp,roles`)."""
    return tuple(name.strip() for name in value.split(",") if name.strip()) or ("scope",)


#: Shown in the OpenAPI document; tokens come from the OIDC provider's token endpoint.
oauth2_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/token", scopes=dict(SCOPE_DESCRIPTIONS))
    ),
    scheme_name="oauth2",
    description="OAuth2 bearer tokens (JWT, RS256, PS256 or ES256) from the OIDC provider; scopes per operation.",
    auto_error=False,
)


async def verified_claims(request: Request, authorization: str | None = Depends(oauth2_scheme)) -> Claims:
    if not authorization:
        raise Unauthorized("Authorization-header met bearer token ontbreekt.", error="invalid_request")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Alleen bearer tokens worden geaccepteerd.", error="invalid_request")
    verifier: TokenVerifier = request.app.state.token_verifier
    settings = request.app.state.settings
    try:
        claims = Claims.from_token(
            await verifier.verify(token.strip()),
            scope_claims=scope_claim_names(settings.scope_claim),
            gemeente_claim=settings.gemeente_claim,
            organisatie_claim=settings.organisatie_claim,
        )
    except TokenError as exc:
        raise Unauthorized(str(exc)) from None
    request.state.claims = claims
    return claims


async def require_scopes(
    security_scopes: SecurityScopes, claims: Claims = Depends(verified_claims)
) -> Claims:
    missing = [s for s in security_scopes.scopes if s not in claims.scopes]
    if missing:
        raise Forbidden(f"Scope ontbreekt: {', '.join(missing)}.")
    return claims


def requires(scope: Scope) -> Any:
    """A dependency that admits callers holding `scope`; the scope is documented on the operation."""
    return Security(require_scopes, scopes=[scope.value])


def requires_any(*scopes: Scope) -> Any:
    """A dependency that admits callers holding at least one of `scopes`.

    The token is verified once; the OpenAPI document lists one security requirement per scope, which OpenAPI
    reads as alternatives (`meldroute_common.openapi` writes them from :data:`SCOPE_ALTERNATIVES`).
    """
    if len(scopes) < 2:
        raise ValueError("requires_any needs at least two scopes; use requires for one")
    values = tuple(scope.value for scope in scopes)

    async def check(claims: Claims = Depends(verified_claims)) -> Claims:
        if not any(value in claims.scopes for value in values):
            raise Forbidden(f"Scope ontbreekt: een van {', '.join(values)}.")
        return claims

    setattr(check, SCOPE_ALTERNATIVES, values)
    return Depends(check)


#: The attribute on a `requires_any` dependency naming its alternative scopes.
SCOPE_ALTERNATIVES = "meldroute_scope_alternatives"


def is_service_client(claims: Claims, client_id: str) -> bool:
    """Whether the token is the service client `client_id` itself, not a user who happens to hold its scope.

    A user token (one naming a `gemeente` or an `organisatie`) never is. A token naming a client (`client_id`,
    else `azp`) must name this one; only a token naming none may be recognised by its `sub`.
    """
    if not client_id or claims.gemeente is not None or claims.organisatie is not None:
        return False
    if claims.client_id is not None:
        return claims.client_id == client_id
    return claims.sub == client_id


def requires_service(scope: Scope, *, client_setting: str) -> Any:
    """Like `requires`, and the caller must be the service client named by the app's setting `client_setting`."""

    async def check(
        request: Request, claims: Claims = Security(require_scopes, scopes=[scope.value])
    ) -> Claims:
        expected = getattr(request.app.state.settings, client_setting)
        if not is_service_client(claims, expected):
            raise Forbidden("Alleen de daarvoor ingestelde dienst mag deze operatie aanroepen.")
        return claims

    return Depends(check)


SignalenAanmaken = Annotated[Claims, requires(Scope.signalen_aanmaken)]
SignalenLezen = Annotated[Claims, requires(Scope.signalen_lezen)]
SignalenBeoordelen = Annotated[Claims, requires(Scope.signalen_beoordelen)]
#: Only the gateway's own client (`INTAKE_GATEWAY_CLIENT_ID`), never a user holding the scope.
IntakeIntern = Annotated[Claims, requires_service(Scope.intake_intern, client_setting="gateway_client_id")]
CasussenLezen = Annotated[Claims, requires(Scope.casussen_lezen)]
CasussenTerugkoppelen = Annotated[Claims, requires(Scope.casussen_terugkoppelen)]
BeleidLezen = Annotated[Claims, requires(Scope.beleid_lezen)]
AbonnementenBeheren = Annotated[Claims, requires(Scope.abonnementen_beheren)]
IdentiteitVerzoeken = Annotated[Claims, requires(Scope.identiteit_verzoeken)]
IdentiteitGoedkeuren = Annotated[Claims, requires(Scope.identiteit_goedkeuren)]
#: The list of identity requests: approvers see what waits for them, requesters their own.
IdentiteitVerzoekenOfGoedkeuren = Annotated[
    Claims, requires_any(Scope.identiteit_goedkeuren, Scope.identiteit_verzoeken)
]
VerwerkingenLezen = Annotated[Claims, requires(Scope.verwerkingen_lezen)]
#: Only intake's own client (`REPORTING_INTAKE_CLIENT_ID`), never a user holding the scope.
RapportageInvoeren = Annotated[
    Claims, requires_service(Scope.rapportage_invoeren, client_setting="intake_client_id")
]
StatistiekenLezen = Annotated[Claims, requires(Scope.statistieken_lezen)]
MetricsLezen = Annotated[Claims, requires(Scope.metrics_lezen)]
