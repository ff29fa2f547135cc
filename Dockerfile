# One image for the API and the workers: `meridian serve` or `meridian worker` (see compose.yaml).
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/meridian
COPY pyproject.toml README.md ./
COPY app ./app
COPY eventstore ./eventstore
COPY projections ./projections
COPY workers ./workers
RUN /opt/meridian/bin/pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home /srv/meridian meridian && mkdir -p /srv/meridian && chown meridian /srv/meridian
COPY --from=build /opt/meridian /opt/meridian
ENV PATH=/opt/meridian/bin:$PATH MERIDIAN_ENV=production MERIDIAN_HOST=0.0.0.0 PYTHONUNBUFFERED=1
WORKDIR /srv/meridian
USER meridian
EXPOSE 8000
CMD ["meridian", "up"]
