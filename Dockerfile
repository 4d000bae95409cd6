# One image for every salesflow component; docker-compose.yml picks the component by its command,
# e.g. `salesflow service sales`. Configuration comes only from environment variables
# (SALESFLOW_*, NATS_URL): see services/runtime/settings.py.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SALESFLOW_DATA_DIR=/data

# psycopg (pulled in by eventsourcing[postgres]) is the pure-Python build: it needs the libpq library.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . \
    && useradd --system --create-home --uid 10001 --user-group salesflow \
    && mkdir -p /data \
    && chown salesflow:salesflow /data

USER salesflow

CMD ["salesflow", "--help"]
