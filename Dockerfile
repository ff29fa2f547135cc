# One image for every role: `meridian serve` (the API) and `meridian worker` (Dramatiq actors, the dispatcher and
# the projection runner); compose.yaml runs both. The build stage compiles anything without a wheel; the final
# stage carries only the virtualenv (and the console's built files) and runs as an unprivileged user.

# The operations console: typed against the schema, built to static files; no Node in the final image.
FROM node:20-slim AS console
WORKDIR /src/console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY schema.graphql /src/schema.graphql
COPY console ./
RUN npm run build

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/meridian
WORKDIR /src
# Dependencies first (pinned in pyproject.toml), so code changes rebuild only the last layer.
COPY pyproject.toml README.md ./
RUN mkdir app eventstore projections workers \
 && /opt/meridian/bin/pip install . \
 && /opt/meridian/bin/pip uninstall -y meridian
COPY app ./app
COPY eventstore ./eventstore
COPY projections ./projections
COPY workers ./workers
RUN /opt/meridian/bin/pip install --no-deps . \
 && /opt/meridian/bin/python -c "import app.api.app, workers.main"

FROM python:3.11-slim
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /srv/meridian meridian
COPY --from=build /opt/meridian /opt/meridian
COPY --from=console /src/console/dist /opt/meridian-console
ENV PATH=/opt/meridian/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MERIDIAN_ENV=production \
    MERIDIAN_HOST=0.0.0.0 \
    MERIDIAN_PORT=8000 \
    MERIDIAN_LOG_FORMAT=json \
    MERIDIAN_DATA_DIR=/srv/meridian/var \
    MERIDIAN_CONSOLE_DIR=/opt/meridian-console
WORKDIR /srv/meridian
USER meridian:meridian
EXPOSE 8000
# No HEALTHCHECK here: the worker serves no HTTP. compose.yaml probes the API's /healthz and /readyz.
CMD ["meridian", "serve"]
