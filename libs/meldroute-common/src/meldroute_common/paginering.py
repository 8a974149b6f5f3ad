"""Paging, once: the parameters every list operation takes, and the one cursor codec of keyset pages."""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from meldroute_common.codering import decode_b64url, encode_b64url
from meldroute_common.problems import BadRequest, InvalidParam

#: Largest page anyone may ask for; above it is 400.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

#: `pageSize`: items per page, 1 to 100.
PageSize = Annotated[
    int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE, description="Items per page, 1 to 100 (default 20).")
]
#: `cursor`: the opaque `volgende` of the previous page.
Cursor = Annotated[str | None, Query(max_length=512, description="`volgende` of the previous page.")]


#: What a cursor may hold: the sort key of the last row of a page.
CursorWaarde = int | str | UUID | datetime
_TYPEN: tuple[type, ...] = (int, str, UUID, datetime)


def ongeldige_cursor() -> BadRequest:
    """The one answer to a cursor that was not handed out: 400 naming `cursor`."""
    return BadRequest(
        "De cursor is ongeldig.",
        invalid_params=[InvalidParam(name="cursor", reason="Geen cursor uit een eerdere pagina.")],
    )


@dataclass(frozen=True, slots=True)
class CursorCodec:
    """Opaque keyset cursors: the sort key of the last row, as URL-safe base64 of a JSON array.

    `velden` are the types of the key, in order (`int`, `str`, `UUID`, aware `datetime`). `decode` accepts only
    what `encode` could have made for these types and raises `ongeldige_cursor()` for anything else, so a
    tampered or foreign cursor is a 400, never a query with an unexpected value.

        codec = CursorCodec(velden=(datetime, UUID))
        cursor = codec.encode(moment, id)
        moment, id = codec.decode(cursor)
    """

    velden: tuple[type, ...]

    def __post_init__(self) -> None:
        if not self.velden or any(t not in _TYPEN for t in self.velden):
            raise ValueError(f"cursor fields must be of {_TYPEN}")

    def encode(self, *waarden: CursorWaarde) -> str:
        if len(waarden) != len(self.velden) or not all(
            isinstance(w, t) for w, t in zip(waarden, self.velden, strict=True)
        ):
            raise TypeError(f"a cursor of {self.velden} cannot hold {waarden!r}")
        ruw = json.dumps([_naar_json(w) for w in waarden], separators=(",", ":")).encode()
        return encode_b64url(ruw)

    def decode(self, cursor: str) -> tuple[Any, ...]:
        """The key a cursor points after; 400 naming `cursor` when `encode` did not make it."""
        try:
            waarden = json.loads(decode_b64url(cursor))
            if not isinstance(waarden, list) or len(waarden) != len(self.velden):
                raise ValueError(cursor)
            return tuple(_uit_json(w, t) for w, t in zip(waarden, self.velden, strict=True))
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise ongeldige_cursor() from None


def _naar_json(waarde: CursorWaarde) -> int | str:
    if isinstance(waarde, datetime):
        if waarde.utcoffset() is None:
            raise TypeError("a cursor moment must be aware")
        return waarde.astimezone(UTC).isoformat()
    if isinstance(waarde, UUID):
        return waarde.hex
    return waarde


def _uit_json(waarde: object, soort: type) -> CursorWaarde:
    if soort is int and type(waarde) is int:
        return waarde
    if soort is str and isinstance(waarde, str):
        return waarde
    if soort is UUID and isinstance(waarde, str):
        return UUID(hex=waarde)
    if soort is datetime and isinstance(waarde, str):
        moment = datetime.fromisoformat(waarde)
        if moment.utcoffset() is None:
            raise ValueError(waarde)
        return moment.astimezone(UTC)
    raise ValueError(waarde)
