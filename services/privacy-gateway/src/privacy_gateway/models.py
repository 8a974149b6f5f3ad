"""Every table of privacy_gateway: import each domain's models here so Alembic and the tests see one metadata."""

from __future__ import annotations

from privacy_gateway.db import Base
from privacy_gateway.identiteit import models as identiteit_models
from privacy_gateway.referenties import models as referenties_models
from privacy_gateway.verwerkingen import models as verwerkingen_models

__all__ = ["Base", "identiteit_models", "referenties_models", "verwerkingen_models"]
