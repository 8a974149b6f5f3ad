"""The covenant policy: its format, loading and the decision engine.

    beleid = laad_beleid(Path("policies/riec-oost-nederland.yaml"))
    beslissing = beslis(beleid=beleid, partner_id="politie-oost-nederland", doel="casusoverleg",
                        casus=CasusFeiten(...), nu=datetime.now(UTC))

See docs/policy.md for the file format and the order of checks.
"""

from privacy_gateway.beleid.engine import Beslissing, CasusFeiten, Weigering, WeigerReden, beslis
from privacy_gateway.beleid.index import BeleidsIndex
from privacy_gateway.beleid.loader import BeleidFout, laad_beleid, valideer_beleid
from privacy_gateway.beleid.models import (
    Beleid,
    Doel,
    Grondslag,
    Lidmaatschap,
    MinderjarigenRegel,
    Partner,
    Regel,
)
from privacy_gateway.beleid.waarden import Categorie, Fase, PartnerType, Vertrouwelijkheid

__all__ = [
    "Beleid",
    "BeleidFout",
    "BeleidsIndex",
    "Beslissing",
    "CasusFeiten",
    "Categorie",
    "Doel",
    "Fase",
    "Grondslag",
    "Lidmaatschap",
    "MinderjarigenRegel",
    "Partner",
    "PartnerType",
    "Regel",
    "Vertrouwelijkheid",
    "WeigerReden",
    "Weigering",
    "beslis",
    "laad_beleid",
    "valideer_beleid",
]
