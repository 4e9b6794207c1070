# The nestry registry. Configure with NESTRY_* variables (docs/registry.md); blobs and the
# embedded SQLite database (when NESTRY_DATABASE_URL is unset) live in the /data volume.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NESTRY_MIGRATIONS_DIR=/app/alembic \
    NESTRY_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY client ./client
COPY registry ./registry
COPY alembic ./alembic
# pg_dump / pg_restore for `nestry-registry backup` / `restore` on PostgreSQL: Debian 12's
# client is 15, as docker-compose.yml's server (pg_dump must be the server's major or newer).
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /data nestry \
    && mkdir -p /data && chown nestry /data

USER nestry
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
# No first admin token in the container's log (kept, and shown to whoever reads logs): create it
# with `docker exec <container> nestry-registry token create --user admin --admin --scope admin`.
CMD ["sh", "-c", "nestry-registry migrate && exec nestry-registry serve --host 0.0.0.0 --port 8000 --no-admin-token"]
