#!/bin/sh
# One database and one login role per service, each owning only its own database. Runs once, from the
# PostgreSQL image's entrypoint, on an empty data volume. Passwords come from postgres.env; psql
# quotes them (:'wachtwoord'), so no value is ever pasted into SQL text.
set -eu

maak() {
    naam=$1
    wachtwoord=$2
    if [ -z "$wachtwoord" ]; then
        echo "missing password for $naam" >&2
        exit 1
    fi
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
        -v naam="$naam" -v wachtwoord="$wachtwoord" <<'SQL'
CREATE ROLE :"naam" LOGIN PASSWORD :'wachtwoord';
CREATE DATABASE :"naam" OWNER :"naam";
REVOKE ALL ON DATABASE :"naam" FROM PUBLIC;
SQL
}

maak intake_api "${INTAKE_DB_PASSWORD:-}"
maak privacy_gateway "${GATEWAY_DB_PASSWORD:-}"
maak reporting "${REPORTING_DB_PASSWORD:-}"
