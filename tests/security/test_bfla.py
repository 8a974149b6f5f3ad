"""Broken function level authorisation: every operation × every role, against the running services.

A role may call an operation exactly when its scopes cover the scopes the served OpenAPI document lists for
it; otherwise the answer is 403. Tokens are minted for the service called (so the audience is right) and carry
a municipality and a partner, so the scopes are the only thing that differs between the calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from meldroute_common.roles import ROLLEN

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
