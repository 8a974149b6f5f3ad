"""A partner's reason for an identity request: kept only sealed, never in the clear.

The reason is free text, and partners type names, BSNs and phone numbers into it. The one scrubber
(``meldroute_common.scrubbing``) replaces shaped identifiers, but names only when it knows them, and at
request time the gateway does not open the betrokkene's sealed identity (that is what the four eyes
guard). A scrubbed copy would so still hold names: the reason is sealed to the gateway's own current key
(HPKE, bound to the case, the betrokkene and the request) for the FG's review, and the clear column
stays empty. Both go with the request when its retention ends.
"""

from __future__ import annotations

from uuid import UUID

from meldroute_common.sealing import Keyring, SealContext, SealPublicKey, open_sealed, seal

__all__ = ["seal_reden", "unseal_reden"]


def _context(*, verzoek_id: UUID, casus_id: UUID, betrokkene_id: UUID) -> SealContext:
    return SealContext(
        signaal_id=casus_id, betrokkene_id=betrokkene_id, veld=f"identiteitsverzoek.{verzoek_id.hex}.reden"
    )


def seal_reden(
    *, tekst: str, ontvanger: SealPublicKey, verzoek_id: UUID, casus_id: UUID, betrokkene_id: UUID
) -> bytes:
    """The reason sealed to the gateway's own key, opening only for this request."""
    return seal(
        plaintext=tekst.encode("utf-8"),
        ontvanger=ontvanger,
        context=_context(verzoek_id=verzoek_id, casus_id=casus_id, betrokkene_id=betrokkene_id),
    )


def unseal_reden(
    *, blob: bytes, sleutels: Keyring, verzoek_id: UUID, casus_id: UUID, betrokkene_id: UUID
) -> str:
    """The reason as typed (for the FG's review); raises ``SealingError`` when it does not open."""
    return open_sealed(
        blob=blob,
        sleutels=sleutels,
        context=_context(verzoek_id=verzoek_id, casus_id=casus_id, betrokkene_id=betrokkene_id),
    ).decode("utf-8")
