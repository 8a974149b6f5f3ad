"""What the request handlers share: the gateway's state and a transaction that fails closed.

``LogSession`` is the handler's transaction (commit when it returns, roll back when it raises) with
one difference from the shared ``Session``: any database failure, including the commit, becomes 503.
A disclosure writes its verwerkingenlog row in this transaction before the response is produced,
so when the log cannot be written the request ends in 503 and nothing is disclosed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Request
from meldroute_common.auth import Claims
from meldroute_common.beleid import Beleid, CasusFeiten, TrajectFeiten
from meldroute_common.problems import Forbidden, ServiceUnavailable
from meldroute_common.sealing import Keyring, SealPublicKey
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from privacy_gateway.config import GatewaySettings
from privacy_gateway.intake.client import IntakeClient
from privacy_gateway.intake.schemas import IntakeCasus, IntakeCasusSamenvatting
from privacy_gateway.pseudoniemen import (
    partner_adviesvraag_referentie,
    partner_betrokkene_referentie,
    partner_casus_referentie,
    partner_pseudoniem,
)
from privacy_gateway.referenties.service import Referentiegeheugen
from privacy_gateway.verwerkingen.service import Logboek
from privacy_gateway.verwerkingen.weigeringen import Weigeringsbudget

__all__ = [
    "AdviesvraagReferentiePad",
    "CasusReferentiePad",
    "Gateway",
    "GatewayState",
    "LogSession",
    "actieve_doelen",
    "feiten",
    "gateway_van",
    "log_pseudoniem",
    "organisatie",
    "request_id",
    "trajecten",
]

log = logging.getLogger("meldroute.gateway")

# Not a kebab-case partner id, so no partner ever gets the log's pseudonyms.
_LOG_DOMEIN = "#verwerkingenlog"


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway:
    """Everything loaded at start-up that handlers need (``app.state.gateway``)."""

    settings: GatewaySettings
    beleid: Beleid
    intake: IntakeClient
    pseudoniemsleutel: bytes
    sleutelbos: Keyring
    eigen_zegel: SealPublicKey
    """The public key of the current private key: what the gateway seals for itself (a partner's reason)."""
    weigeringen: Weigeringsbudget
    logboek: Logboek
    referenties: Referentiegeheugen = field(default_factory=Referentiegeheugen)
    """The partners' case references already looked up (a mapping never changes once written)."""

    def log_pseudoniem(self, link_pseudoniem: str) -> str:
        """The verwerkingenlog's pseudonym of a betrokkene: keyed by the gateway, unlike any partner's."""
        return log_pseudoniem(sleutel=self.pseudoniemsleutel, link_pseudoniem=link_pseudoniem)

    def casus_referentie(self, *, partner: str, casus_id: UUID) -> UUID:
        """This partner's reference to one of intake's cases: unrelated to other partners' references."""
        return partner_casus_referentie(sleutel=self.pseudoniemsleutel, partner_id=partner, casus_id=casus_id)

    def adviesvraag_referentie(self, *, partner: str, adviesvraag_id: UUID) -> UUID:
        """This expert's reference to one of intake's advice questions: unrelated to other experts'."""
        return partner_adviesvraag_referentie(
            sleutel=self.pseudoniemsleutel, partner_id=partner, adviesvraag_id=adviesvraag_id
        )

    def betrokkene_referentie(self, *, partner: str, betrokkene_id: UUID) -> str:
        """This partner's reference to one betrokkene of one case: unrelated to other partners' references."""
        return partner_betrokkene_referentie(
            sleutel=self.pseudoniemsleutel, partner_id=partner, betrokkene_id=betrokkene_id
        )


def log_pseudoniem(*, sleutel: bytes, link_pseudoniem: str) -> str:
    return partner_pseudoniem(sleutel=sleutel, partner_id=_LOG_DOMEIN, link_pseudoniem=link_pseudoniem)


def gateway_van(request: Request) -> Gateway:
    """The gateway's state (what ``GatewayState`` gives, for a handler that takes it from its request)."""
    gateway: Gateway = request.app.state.gateway
    return gateway


async def _gateway(request: Request) -> Gateway:
    # async: FastAPI would run a plain `def` dependency in a worker thread, a hop per request.
    return gateway_van(request)


GatewayState = Annotated[Gateway, Depends(_gateway)]


async def _log_session(request: Request) -> AsyncIterator[AsyncSession]:
    maker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with maker() as session:
        try:
            async with session.begin():
                yield session
        except SQLAlchemyError as fout:
            log.error("database-fout in een verzoek (%s)", type(fout).__name__)
            raise ServiceUnavailable(
                "De database van de privacy-gateway is niet beschikbaar; er is niets verstrekt."
            ) from None


LogSession = Annotated[AsyncSession, Depends(_log_session, scope="function")]


def request_id(request: Request) -> str:
    """The request id the middleware assigned (also in the verwerkingenlog)."""
    waarde = getattr(request.state, "request_id", None)
    return waarde if isinstance(waarde, str) else "onbekend"


#: A case in a path: the caller's own reference, never intake's id.
CasusReferentiePad = Annotated[
    UUID, Path(description="De eigen referentie van de organisatie voor de casus (`id` uit de lijst).")
]


#: An advice question in a path: the expert's own reference, never intake's id.
AdviesvraagReferentiePad = Annotated[
    UUID, Path(description="De eigen referentie van de organisatie voor de adviesvraag (`id` uit de lijst).")
]


def organisatie(claims: Claims) -> str:
    """The caller's partner id; a token without one may not read cases at all."""
    if not claims.organisatie:
        raise Forbidden("Het token noemt geen organisatie (partner).")
    return claims.organisatie


def trajecten(casus: IntakeCasus | IntakeCasusSamenvatting) -> list[TrajectFeiten]:
    """The tracks of a case as the policy sees them; an answer without tracks is one track of its purpose."""
    if casus.trajecten:
        return [
            TrajectFeiten(doel=t.doel, ontvangers=frozenset(t.partners), sinds=t.sinds, afgerond=t.afgerond)
            for t in casus.trajecten
        ]
    return [TrajectFeiten(doel=casus.doel, ontvangers=frozenset(casus.partners), sinds=casus.opgeschaald_op)]


def actieve_doelen(casus: IntakeCasus | IntakeCasusSamenvatting, *, partner: str) -> list[str]:
    """The purposes of the partner's tracks on the case that are not closed, in intake's order, once each."""
    return list(dict.fromkeys(t.doel for t in trajecten(casus) if not t.afgerond and partner in t.ontvangers))


def feiten(casus: IntakeCasus | IntakeCasusSamenvatting) -> CasusFeiten:
    """The facts the policy decides on, from intake's answer (never from the caller)."""
    return CasusFeiten(
        fase=casus.fase,
        vertrouwelijkheidaanduiding=casus.vertrouwelijkheidaanduiding,
        opgeschaald_op=casus.opgeschaald_op,
        trajecten=trajecten(casus),
        minderjarige_betrokken=casus.minderjarige_betrokken,
        toestemming=casus.toestemming,
    )
