"""The covenant policy: its format, loading and the decision engine.

    beleid = load_policy(Path("policies/riec-oost-nederland.yaml"))
    beslissing = decide(beleid=beleid, partner_id="politie-oost-nederland", doel="casusoverleg",
                        casus=CasusFeiten(...), nu=datetime.now(UTC))

See docs/policy.md for the file format and the order of checks.
"""

from meldroute_common.beleid.engine import (
    Beslissing,
    CasusFeiten,
    TrajectFeiten,
    Weigering,
    WeigerReden,
    decide,
    toets_opschaling,
)
from meldroute_common.beleid.index import BeleidsIndex
from meldroute_common.beleid.loader import BeleidFout, load_policy, validate_policy
from meldroute_common.beleid.models import (
    Beleid,
    Doel,
    Grondslag,
    Lidmaatschap,
    MinderjarigenRegel,
    Partner,
    Regel,
)
from meldroute_common.beleid.waarden import Categorie, Fase, PartnerType, Vertrouwelijkheid

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
    "TrajectFeiten",
    "Vertrouwelijkheid",
    "WeigerReden",
    "Weigering",
    "decide",
    "load_policy",
    "toets_opschaling",
    "validate_policy",
]
