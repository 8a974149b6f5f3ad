# syntax=docker/dockerfile:1.7
# The image of every meldroute service; SERVICE picks which one, PORT the port it listens on. From the
# repository root:
#   docker build --build-arg SERVICE=intake-api      --build-arg PORT=8001 -t meldroute/intake-api:0.1.0 .
#   docker build --build-arg SERVICE=privacy-gateway --build-arg PORT=8002 -t meldroute/privacy-gateway:0.1.0 .
#   docker build --build-arg SERVICE=reporting       --build-arg PORT=8003 -t meldroute/reporting:0.1.0 .
#   docker build --build-arg SERVICE=werkplek        --build-arg PORT=8004 -t meldroute/werkplek:0.1.0 .
# No key material is ever copied in: keys are mounted at run time (compose secrets, Kubernetes volumes).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# --- build: a virtual environment with only SERVICE and meldroute-common, exactly as locked ---
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG PORT
RUN case "${SERVICE}:${PORT}" in \
        intake-api:8001|privacy-gateway:8002|reporting:8003|werkplek:8004) ;; \
        *) echo "SERVICE/PORT must be intake-api/8001, privacy-gateway/8002, reporting/8003 or werkplek/8004" >&2; exit 1 ;; \
    esac
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Locked third-party dependencies first, in their own layer; uv needs every member's pyproject.toml to
# read the workspace, but installs only what SERVICE needs.
COPY pyproject.toml uv.lock ./
COPY libs/meldroute-common/pyproject.toml libs/meldroute-common/
COPY libs/meldroute-dev/pyproject.toml libs/meldroute-dev/
COPY services/intake-api/pyproject.toml services/intake-api/
COPY services/privacy-gateway/pyproject.toml services/privacy-gateway/
COPY services/reporting/pyproject.toml services/reporting/
COPY services/werkplek/pyproject.toml services/werkplek/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package ${SERVICE} --no-install-workspace
COPY libs/meldroute-common/ libs/meldroute-common/
# The werkplek's templates and its style sheet (bundled from the npm packages, committed) are in its package.
COPY services/${SERVICE}/ services/${SERVICE}/
# The covenant policy: the gateway enforces it, intake checks escalations against the same file (its default path).
COPY services/privacy-gateway/policies/ services/privacy-gateway/policies/
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package ${SERVICE} \
 && /app/.venv/bin/python -m compileall -q libs/meldroute-common/src services/${SERVICE}/src

# --- runtime: slim Python, no build tools, a non-root user, nothing writable but /tmp ---
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
ARG PORT
RUN groupadd --system --gid 10001 meldroute \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin meldroute
WORKDIR /app
# The gateway only: the mount point of the checkpoint witness (a volume of its own), owned by the service
# user so a fresh volume takes that ownership.
RUN if [ "${SERVICE}" = "privacy-gateway" ]; then \
        mkdir -p /var/lib/meldroute/getuige && chown 10001:10001 /var/lib/meldroute/getuige; \
    fi
# Owned by root and not writable by the service user: the root file system can be mounted read-only.
COPY --from=build /app /app
# uvicorn reads its application, host and port from UVICORN_APP, UVICORN_HOST and UVICORN_PORT.
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMPDIR=/tmp \
    MELDROUTE_ENV=production \
    MELDROUTE_LOCAL_DIR=/tmp/meldroute \
    UVICORN_APP=${SERVICE//-/_}.main:create_app \
    UVICORN_HOST=0.0.0.0 \
    UVICORN_PORT=${PORT}
USER 10001:10001
EXPOSE ${PORT}
# Slim images have no curl; Python's standard library is enough (a non-2xx answer raises).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['UVICORN_PORT']}/health/live\", timeout=2)"]
# Request logging is done by the app's own middleware (with request ids), so uvicorn's access log is off.
# Migrations run as a separate one-shot command in the same image:
#   alembic -c services/${SERVICE}/alembic.ini upgrade head
# The gateway's example covenant policy ships in services/privacy-gateway/policies/; mount the municipality's
# own policy and point GATEWAY_POLICY_FILE at it.
CMD ["uvicorn", "--factory", "--no-access-log", "--no-server-header", "--timeout-graceful-shutdown", "20"]
