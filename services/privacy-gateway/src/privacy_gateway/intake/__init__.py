"""Reading cases from intake-api's internal API with the gateway's service token."""

from privacy_gateway.intake.client import IntakeClient
from privacy_gateway.intake.schemas import IntakeBetrokkene, IntakeCasus, IntakeCasussenPagina

__all__ = ["IntakeBetrokkene", "IntakeCasus", "IntakeCasussenPagina", "IntakeClient"]
