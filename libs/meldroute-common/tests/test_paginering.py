"""The one cursor codec: what it encodes it decodes, and anything else is the same 400."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from meldroute_common.codering import encode_b64url
from meldroute_common.paginering import CursorCodec
from meldroute_common.problems import BadRequest

MOMENT_ID = CursorCodec(velden=(datetime, uuid.UUID))
VOLGNUMMER = CursorCodec(velden=(int,))


def _cursor(waarde: object) -> str:
    return encode_b64url(json.dumps(waarde).encode())


def test_round_trip_in_utc() -> None:
    moment = datetime(2026, 10, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    id = uuid.uuid4()
    cursor = MOMENT_ID.encode(moment, id)
    assert "=" not in cursor
    terug = MOMENT_ID.decode(cursor)
    assert terug == (moment, id) and terug[0].tzinfo is UTC
    assert VOLGNUMMER.decode(VOLGNUMMER.encode(41)) == (41,)


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "rommel!",
        "onzin==",
        _cursor([1, 2]),
        _cursor({"volgnummer": 3}),
        _cursor(["3"]),
        _cursor([3.5]),
        _cursor([True]),
        _cursor([None]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        VOLGNUMMER.encode(3) + "A",
    ],
)
def test_anything_not_encoded_is_a_400_naming_the_cursor(cursor: str) -> None:
    with pytest.raises(BadRequest) as fout:
        VOLGNUMMER.decode(cursor)
    assert fout.value.detail == "De cursor is ongeldig."
    assert [p.name for p in fout.value.invalid_params or []] == ["cursor"]


@pytest.mark.parametrize(
    "waarde",
    [
        ["2026-10-01T12:00:00", uuid.uuid4().hex],  # no zone
        ["gisteren", uuid.uuid4().hex],
        ["2026-10-01T12:00:00+00:00", "geen-uuid"],
        [VOLGNUMMER.encode(1)],
    ],
)
def test_a_key_of_the_wrong_shape_is_refused(waarde: list[object]) -> None:
    with pytest.raises(BadRequest):
        MOMENT_ID.decode(_cursor(waarde))


def test_encode_refuses_what_decode_could_not_read() -> None:
    with pytest.raises(TypeError):
        MOMENT_ID.encode(datetime(2026, 10, 1), uuid.uuid4())  # naive
    with pytest.raises(TypeError):
        VOLGNUMMER.encode("3")
    with pytest.raises(ValueError):
        CursorCodec(velden=(float,))
