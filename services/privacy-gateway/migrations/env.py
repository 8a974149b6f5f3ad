from alembic import context
from meldroute_common.migrations import run_migrations
from privacy_gateway.config import get_settings
from privacy_gateway.models import Base

url = context.config.get_main_option("sqlalchemy.url") or get_settings(migraties=True).database_url
run_migrations(context, Base.metadata, url=url)
