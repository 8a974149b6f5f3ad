"""Every table of intake_api, one module per table group, in one package below the domain packages.

Each domain package (signalen, beoordelingen, outbox, retentie, ...) imports its tables from here, so
the tables never pull a domain package in and the domains depend downward only. Alembic and the tests
see one metadata through `Base`. The declarative base and the sensitive-column marks live in
`intake_api.db`, one floor lower.
"""

from __future__ import annotations

from intake_api.db import Base
from intake_api.models.aanvullingen import Aantekening, Aanvulling
from intake_api.models.casussen import (
    Adviesantwoord,
    Adviesvraag,
    AdviesvraagExpert,
    Doelverzoek,
    Terugkoppeling,
    Toestemming,
    Traject,
    TrajectPartner,
)
from intake_api.models.idempotentie import Idempotentiesleutel
from intake_api.models.importeren import ImportBron
from intake_api.models.meldingen import Abonnement, Melding
from intake_api.models.outbox import OutboxGebeurtenis
from intake_api.models.signalen import (
    STATUSSEN,
    Betrokkene,
    BetrokkenePseudoniem,
    CasusPartner,
    HistorieRegel,
    Schoonmerk,
    Signaal,
    SignaalIndicator,
    SignaalUitbuitingsvorm,
    ToelichtingOrigineel,
)
from intake_api.models.termijnen import Termijn
from intake_api.models.toegang import Toegang

__all__ = [
    "STATUSSEN",
    "Aantekening",
    "Aanvulling",
    "Abonnement",
    "Adviesantwoord",
    "Adviesvraag",
    "AdviesvraagExpert",
    "Base",
    "Betrokkene",
    "BetrokkenePseudoniem",
    "CasusPartner",
    "Doelverzoek",
    "HistorieRegel",
    "Idempotentiesleutel",
    "ImportBron",
    "Melding",
    "OutboxGebeurtenis",
    "Schoonmerk",
    "Signaal",
    "SignaalIndicator",
    "SignaalUitbuitingsvorm",
    "Termijn",
    "Terugkoppeling",
    "Toegang",
    "ToelichtingOrigineel",
    "Toestemming",
    "Traject",
    "TrajectPartner",
]
