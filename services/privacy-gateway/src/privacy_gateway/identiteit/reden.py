"""A partner's reason for an identity request: sealed as typed, and in the clear only once scrubbed.

The reason is free text, and partners type names, BSNs and phone numbers into it. The original is
sealed to the gateway's own current key (HPKE, bound to the case, the betrokkene and the request), so
only the gateway's key can open it; the clear column holds nothing but the text with identifiers
replaced, by the product's one scrubber (``meldroute_common.scrubbing.scrub_text``). Where that
scrubber is not installed, nothing is kept in the clear: better no readable reason than one with a
BSN in it. Both go with the request when its retention ends.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Final
from uuid import UUID

from meldroute_common.sealing import Keyring, SealContext, SealPublicKey, open_sealed, seal

__all__ = ["open_reden", "scrub_reden", "zegel_reden"]

log = logging.getLogger("meldroute.gateway.identiteit")

_SCRUBBER: Final = "meldroute_common.scrubbing"


def _scrubber() -> Callable[[str], str] | None:
    try:
        module = importlib.import_module(_SCRUBBER)
    except ModuleNotFoundError:
        return None
    functie = getattr(module, "scrub_text", None)
    return functie if callable(functie) else None


def scrub_reden(tekst: str) -> str | None:
    """The reason with identifiers replaced, or None when no scrubber is available (fail closed)."""
    scrub = _scrubber()
    if scrub is None:
        return None
    try:
        resultaat = scrub(tekst)
    except TypeError:
        log.error("de tekstscrubber heeft een andere aanroep dan verwacht; de reden blijft alleen verzegeld")
        return None
    return resultaat if isinstance(resultaat, str) else None


def _context(*, verzoek_id: UUID, casus_id: UUID, betrokkene_id: UUID) -> SealContext:
    return SealContext(
        signaal_id=casus_id, betrokkene_id=betrokkene_id, veld=f"identiteitsverzoek.{verzoek_id.hex}.reden"
    )


def zegel_reden(
    *, tekst: str, ontvanger: SealPublicKey, verzoek_id: UUID, casus_id: UUID, betrokkene_id: UUID
) -> bytes:
    """The reason sealed to the gateway's own key, opening only for this request."""
    return seal(
        plaintext=tekst.encode("utf-8"),
        ontvanger=ontvanger,
        context=_context(verzoek_id=verzoek_id, casus_id=casus_id, betrokkene_id=betrokkene_id),
    )


def open_reden(
    *, blob: bytes, sleutels: Keyring, verzoek_id: UUID, casus_id: UUID, betrokkene_id: UUID
) -> str:
    """The reason as typed (for the FG's review); raises ``SealingError`` when it does not open."""
    return open_sealed(
        blob=blob,
        sleutels=sleutels,
        context=_context(verzoek_id=verzoek_id, casus_id=casus_id, betrokkene_id=betrokkene_id),
    ).decode("utf-8")
