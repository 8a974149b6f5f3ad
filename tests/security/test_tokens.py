"""Every operation of every running service refuses a missing, forged or misdirected token with 401."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from meldroute_common.auth import Scope
from meldroute_common.roles import ROLLEN
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import FORGERIES, forge

if TYPE_CHECKING:
    from tests.security.conftest import Api

DIENST_NAMEN = [d.naam for d in DIENSTEN]
#: Forged tokens carry every scope and name every service: only the forgery itself can be the reason to refuse.
ALLE_SCOPES = " ".join(s.value for s in Scope)


@pytest.fixture(scope="module")
def vervalsingen(api: Api) -> dict[str, str]:
    """One token per forgery kind (forging signs with a freshly loaded key, too slow to do per call)."""
    return {
        soort: forge(soort, issuer=api.issuer, audience=DIENST_NAMEN[0], scope=ALLE_SCOPES,
                     extra={} if soort in {"wrong_audience", "missing_aud"} else {"aud": DIENST_NAMEN})
        for soort in FORGERIES
    }  # fmt: skip


@pytest.mark.parametrize("dienst", DIENST_NAMEN)
def test_forged_and_missing_tokens_are_401_on_every_operation(
    dienst: str, api: Api, vervalsingen: dict[str, str]
) -> None:
    operaties = [o for o in api.operaties if o.dienst == dienst]
    assert operaties, f"{dienst} documents no operation"
    # The control: a genuine token passes authentication on every operation (its scopes may not suffice).
    echt = api.token("fg", dienst=dienst)
    for operatie in operaties:
        assert operatie.scopes, f"{operatie} documents no scope"
        antwoord = api.verzoek(operatie, token=None)
        api.probleem(antwoord, 401)
        assert antwoord.headers["www-authenticate"].startswith("Bearer"), str(operatie)
        assert api.verzoek(operatie, token=echt).status_code != 401, str(operatie)
        for soort, token in vervalsingen.items():
            antwoord = api.verzoek(operatie, token=token)
            assert antwoord.status_code == 401, (soort, str(operatie), antwoord.text[:200])
            api.probleem(antwoord, 401)
            assert antwoord.headers["www-authenticate"].startswith("Bearer"), (soort, str(operatie))


@pytest.mark.parametrize("dienst", DIENST_NAMEN)
def test_a_real_token_for_another_service_is_401(dienst: str, api: Api) -> None:
    """A genuine token, with every scope the operation needs, replayed at a service it was not issued for."""
    for operatie in (o for o in api.operaties if o.dienst == dienst):
        rollen = [naam for naam, rol in ROLLEN.items() if operatie.toegestaan_voor(rol)]
        assert rollen, f"{operatie}: no role holds the scopes it needs"
        for ander in (naam for naam in DIENST_NAMEN if naam != dienst):
            antwoord = api.verzoek(operatie, token=api.token(rollen[0], dienst=ander))
            api.probleem(antwoord, 401)
        assert api.verzoek(operatie, token=api.token(rollen[0], dienst=dienst)).status_code != 401
