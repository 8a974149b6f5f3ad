"""The notification's wire format: a CloudEvent 1.0 that holds ids only, signed so a receiver can tell
a genuine, fresh one from a tampered or replayed one; and the webhook URLs that are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from jsonschema import Draft202012Validator
from meldroute_common.meldingen import (
    KOP_HANDTEKENING,
    KOP_TIJDSTIP,
    Meldingsoort,
    build_cloudevent,
    build_mail,
    check_webhook_url,
    encode_cloudevent,
    signed_headers,
    verify_handtekening,
)

GEHEIM = b"k" * 32
NU = 1_764_590_400

#: The CloudEvents 1.0 JSON format's required attributes and their types (spec, json-format.md §2 and 3).
CLOUDEVENT_SCHEMA = {
    "type": "object",
    "required": ["specversion", "id", "source", "type"],
    "properties": {
        "specversion": {"const": "1.0"},
        "id": {"type": "string", "minLength": 1},
        "source": {"type": "string", "format": "uri-reference", "minLength": 1},
        "type": {"type": "string", "minLength": 1},
        "subject": {"type": "string", "minLength": 1},
        "time": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"},
        "datacontenttype": {"const": "application/json"},
        "data": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}


def _event(**data: str) -> dict[str, object]:
    return build_cloudevent(
        id="5b0f4c7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", soort=Meldingsoort.traject_geopend,
        bron="urn:meldroute:intake-api", onderwerp="mr-abc", tijd=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        data=data or {"organisatie": "riec-oost-nederland"},
    )  # fmt: skip


def test_the_event_is_a_cloudevent_1_0() -> None:
    event = _event()
    Draft202012Validator(CLOUDEVENT_SCHEMA).validate(event)
    assert event["type"] == "nl.meldroute.traject.geopend" and event["time"] == "2026-12-01T09:30:00Z"
    assert json.loads(encode_cloudevent(event)) == event


def test_data_takes_ids_and_codes_only() -> None:
    with pytest.raises(ValueError):
        _event(toelichting="Piet woont op de werkplek")
    with pytest.raises(ValueError):
        _event(organisatie="x" * 101)


def test_a_signature_verifies_and_a_tampered_body_or_wrong_secret_does_not() -> None:
    body = encode_cloudevent(_event())
    headers = signed_headers(geheim=GEHEIM, tijdstip=NU, body=body)
    assert headers[KOP_HANDTEKENING].startswith("v1=")
    assert verify_handtekening(geheim=GEHEIM, body=body, headers=headers, nu=NU)
    assert not verify_handtekening(geheim=GEHEIM, body=body.replace(b"riec", b"rieC"), headers=headers, nu=NU)
    assert not verify_handtekening(geheim=b"x" * 32, body=body, headers=headers, nu=NU)
    # The timestamp is signed too: moving it breaks the signature.
    verschoven = {**headers, KOP_TIJDSTIP: str(NU + 1)}
    assert not verify_handtekening(geheim=GEHEIM, body=body, headers=verschoven, nu=NU)
    assert not verify_handtekening(geheim=GEHEIM, body=body, headers={KOP_TIJDSTIP: str(NU)}, nu=NU)
    # Header names are case-blind, and a second signature (a secret being rotated) is allowed.
    rotatie = {k.lower(): v for k, v in headers.items()}
    rotatie[KOP_HANDTEKENING.lower()] = "v1=00, " + headers[KOP_HANDTEKENING]
    assert verify_handtekening(geheim=GEHEIM, body=body, headers=rotatie, nu=NU)


def test_an_old_or_future_timestamp_is_refused_replay() -> None:
    body = encode_cloudevent(_event())
    headers = signed_headers(geheim=GEHEIM, tijdstip=NU, body=body)
    assert verify_handtekening(geheim=GEHEIM, body=body, headers=headers, nu=NU + 300)
    assert not verify_handtekening(geheim=GEHEIM, body=body, headers=headers, nu=NU + 301)
    assert not verify_handtekening(geheim=GEHEIM, body=body, headers=headers, nu=NU - 301)
    assert verify_handtekening(geheim=GEHEIM, body=body, headers=headers, nu=NU + 30, venster=30)
    assert not verify_handtekening(geheim=GEHEIM, body=body, headers=headers, nu=NU + 31, venster=30)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook", "https://localhost/hook", "https://10.1.2.3/hook", "https://192.168.0.1/",
        "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/", "https://100.64.0.1/", "https://[fd00::1]/",
    ],
)  # fmt: skip
async def test_internal_targets_are_refused_unless_allowed(url: str) -> None:
    assert await check_webhook_url(url, https_verplicht=False, intern_toegestaan=False) is not None
    assert await check_webhook_url(url, https_verplicht=False, intern_toegestaan=True) is None


async def test_scheme_credentials_and_https_in_production() -> None:
    publiek = "https://8.8.8.8/hook"  # an address literal: no name lookup in the test
    assert await check_webhook_url(publiek, https_verplicht=True, intern_toegestaan=False) is None
    assert (
        await check_webhook_url("http://8.8.8.8/hook", https_verplicht=True, intern_toegestaan=False)
        is not None
    )
    assert (
        await check_webhook_url("http://8.8.8.8/hook", https_verplicht=False, intern_toegestaan=False) is None
    )
    for url in ("ftp://8.8.8.8/", "https://user:pw@8.8.8.8/", "https:///pad", "https://8.8.8.8:99999/", "x"):
        assert await check_webhook_url(url, https_verplicht=False, intern_toegestaan=True) is not None, url


def test_the_mail_says_only_that_something_waits() -> None:
    mail = build_mail(
        afzender="meldroute@gemeente.example", aan="af@gemeente.example", soort=Meldingsoort.advies_gevraagd,
        kenmerk="mr-abc", bericht_id="0b7e1c2a-4d1f-4e55-9a3b-2f6c8d9e0a11",
    )  # fmt: skip
    tekst = mail.get_content()
    assert "nl.meldroute.advies.gevraagd" in tekst and "mr-abc" in tekst
    assert mail["Subject"] == "meldroute: er wordt uw advies gevraagd"
    # Its own Message-ID, not the case's subject (two mails about one case are two mails).
    assert mail["Message-ID"] == "<0b7e1c2a-4d1f-4e55-9a3b-2f6c8d9e0a11@meldroute>"
