from alembic import context
from intake_api.config import get_settings
from intake_api.models import Base
from meldroute_common.migrations import run_migrations

url = context.config.get_main_option("sqlalchemy.url") or get_settings(migraties=True).database_url
run_migrations(context, Base.metadata, url=url)
