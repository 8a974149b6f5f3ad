"""A partner's reason for an identity request: kept only sealed, never in the clear.

The reason is free text, and partners type names, BSNs and phone numbers into it. The one scrubber
(``meldroute_common.scrubbing``) replaces shaped identifiers, but names only when it knows them, and at
request time the gateway does not open the betrokkene's sealed identity (that is what the four eyes
guard). A scrubbed copy would so still hold names: the reason is sealed to the gateway's own current key
(HPKE, bound to the case, the betrokkene and the request) for the FG's review, and the clear column
stays empty. Both go with the request when its retention ends.

An approver's reason for a rejection is written for the requester, so it is kept in the clear too, but only
scrubbed by the one scrubber; the text as typed is sealed beside it the same way (its own field in the
context, so neither reason's blob opens as the other).
"""

from __future__ import annotations

from uuid import UUID

from meldroute_common.sealing import Keyring, SealContext, SealPublicKey, open_sealed, seal

__all__ = ["AFWIJZING", "REDEN", "seal_reden", "unseal_reden"]

#: Which reason: the partner's for the request, or the approver's for a rejection.
REDEN = "reden"
AFWIJZING = "afwijzing"


def _context(*, verzoek_id: UUID, casus_id: UUID, betrokkene_id: UUID, soort: str) -> SealContext:
    return SealContext(
        signaal_id=casus_id, betrokkene_id=betrokkene_id, veld=f"identiteitsverzoek.{verzoek_id.hex}.{soort}"
    )


def seal_reden(
    *,
    tekst: str,
    ontvanger: SealPublicKey,
    verzoek_id: UUID,
    casus_id: UUID,
    betrokkene_id: UUID,
    soort: str = REDEN,
) -> bytes:
    """The reason sealed to the gateway's own key, opening only for this request and this kind of reason."""
    return seal(
        plaintext=tekst.encode("utf-8"),
        ontvanger=ontvanger,
        context=_context(verzoek_id=verzoek_id, casus_id=casus_id, betrokkene_id=betrokkene_id, soort=soort),
    )


def unseal_reden(
    *,
    blob: bytes,
    sleutels: Keyring,
    verzoek_id: UUID,
    casus_id: UUID,
    betrokkene_id: UUID,
    soort: str = REDEN,
) -> str:
    """The reason as typed (for the FG's review); raises ``SealingError`` when it does not open."""
    return open_sealed(
        blob=blob,
        sleutels=sleutels,
        context=_context(verzoek_id=verzoek_id, casus_id=casus_id, betrokkene_id=betrokkene_id, soort=soort),
    ).decode("utf-8")
