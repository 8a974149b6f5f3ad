"""Broken function level authorisation: every operation × every role, against the running services.

A role may call an operation exactly when its scopes cover the scopes the served OpenAPI document lists for
it; otherwise the answer is 403. Tokens are minted for the service called (so the audience is right) and carry
a municipality and a partner, so the scopes are the only thing that differs between the calls.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from meldroute_common.roles import ROLLEN

from tests.security.conftest import GEMEENTE, PARTNER

if TYPE_CHECKING:
    from tests.security.conftest import Api

#: The detail the scope check gives (meldroute_common.auth.require_scopes); a 403 for any other reason is
#: the service deciding about the object, which an allowed role may meet.
SCOPE_WEIGERING = "Scope ontbreekt"


def test_every_operation_for_every_role(api: Api) -> None:
    fouten: list[str] = []
    toegestaan = geweigerd = 0
    for operatie in api.operaties:
        assert any(operatie.toegestaan_voor(rol) for rol in ROLLEN.values()), (
            f"{operatie}: no role may call it"
        )
        for naam, rol in ROLLEN.items():
            antwoord = api.verzoek(
                operatie, token=api.token(naam, dienst=operatie.dienst, sub=f"bfla-{naam}")
            )
            detail = str(antwoord.json().get("detail", "")) if antwoord.status_code >= 400 else ""
            if operatie.toegestaan_voor(rol):
                toegestaan += 1
                if antwoord.status_code in {401, 403} or antwoord.status_code >= 500:
                    fouten.append(f"{naam} may call {operatie} but got {antwoord.status_code}: {detail}")
            else:
                geweigerd += 1
                if antwoord.status_code != 403 or not detail.startswith(SCOPE_WEIGERING):
                    fouten.append(f"{naam} may not call {operatie} but got {antwoord.status_code}: {detail}")
                else:
                    api.probleem(antwoord, 403)
    assert not fouten, "\n".join(fouten)
    # Both halves of the matrix ran: every role is refused somewhere and allowed somewhere.
    assert toegestaan >= len(ROLLEN) and geweigerd > toegestaan


def _dienst_token(api: Api, rol: str, dienst: str, **wijzigingen: object) -> str:
    """A token of service role `rol` for `dienst`, with claims changed (None removes a claim)."""
    kop, sjabloon = api._sjabloon(rol)
    nu = int(time.time())
    claims = {**sjabloon, "aud": dienst, "iat": nu, "nbf": nu, "exp": nu + 900, "jti": uuid.uuid4().hex}
    for naam, waarde in wijzigingen.items():
        if waarde is None:
            claims.pop(naam, None)
        else:
            claims[naam] = waarde
    return api._onderteken(kop, claims)


#: Internal operations and the service client each admits.
INTERN = {"intake-api": "privacy-gateway", "reporting": "intake-api"}


def test_internal_operations_admit_only_their_service_client(api: Api) -> None:
    """The scope alone is not enough: a user token carrying it, or another client's, is 403 on each."""
    operaties = [
        o for o in api.operaties
        if o.dienst in INTERN and (o.pad.startswith("/v1/intern/") or o.operation_id == "gebeurtenissenInvoeren")
    ]  # fmt: skip
    # intake: cases (list, one), pseudonyms, policy facts, advice (list, one, answer), outcomes, follow-on
    # purposes, partners' notes (write, read back), partner subscriptions (create, list, delete), notifications;
    # reporting: events.
    assert len(operaties) == 16, [str(o) for o in operaties]
    for operatie in operaties:
        client = INTERN[operatie.dienst]
        scope = " ".join(sorted(operatie.scopes))
        echt = _dienst_token(api, client, operatie.dienst)
        status = api.verzoek(operatie, token=echt).status_code
        assert status not in {401, 403} and status < 500, f"{operatie}: the service client got {status}"
        # Keycloak-style: the client only in azp, sub a service-account id.
        azp = _dienst_token(api, client, operatie.dienst, client_id=None, sub=str(uuid.uuid4()))
        assert api.verzoek(operatie, token=azp).status_code not in {401, 403}, str(operatie)
        # Only sub naming the client (no client claims) is also that client.
        kaal = _dienst_token(api, client, operatie.dienst, client_id=None, azp=None)
        assert api.verzoek(operatie, token=kaal).status_code not in {401, 403}, str(operatie)
        weigeren = {
            "a municipal user with the scope": {"gemeente": "GM1859", "sub": "af-gm1859", "client_id": None, "azp": None},
            "a partner user with the scope": {"organisatie": PARTNER, "sub": "partner-1", "client_id": None, "azp": None},
            "the client's own token naming a municipality": {"gemeente": GEMEENTE},
            "the client's own token naming a partner": {"organisatie": PARTNER},
            "another client with the scope": {"client_id": "kwaadwillend", "azp": "kwaadwillend", "sub": "kwaadwillend"},
            "another client claiming the sub": {"client_id": "kwaadwillend", "azp": None, "sub": client},
            "client_id and azp disagreeing": {"client_id": "kwaadwillend", "azp": client},
            "no client and another sub": {"client_id": None, "azp": None, "sub": "iemand"},
        }  # fmt: skip
        for beschrijving, wijzigingen in weigeren.items():
            token = _dienst_token(api, client, operatie.dienst, scope=scope, **wijzigingen)
            document = api.probleem(api.verzoek(operatie, token=token), 403)
            assert "dienst" in document["detail"], (beschrijving, document)
