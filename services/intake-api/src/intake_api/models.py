"""Every table of intake_api: import each domain's models here so Alembic and the tests see one metadata."""

from __future__ import annotations

from intake_api.db import Base
from intake_api.idempotentie import models as idempotentie_models
from intake_api.importeren import models as importeren_models
from intake_api.outbox import models as outbox_models
from intake_api.signalen import models as signalen_models
from intake_api.toegang import models as toegang_models

__all__ = [
    "Base",
    "idempotentie_models",
    "importeren_models",
    "outbox_models",
    "signalen_models",
    "toegang_models",
]
