# syntax=docker/dockerfile:1
# AIS#Emploi — one image for the web (gunicorn), the Celery worker and Celery beat.
# See docs/operations.md and docker-compose.yml.
FROM python:3.11-slim-bookworm

# gunicorn reads WEB_CONCURRENCY as its worker count (override at run time).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ais.settings \
    WEB_CONCURRENCY=3

# WeasyPrint (PDF exports) needs Pango, HarfBuzz subsetting and at least one font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 1000 ais \
    && useradd --system --uid 1000 --gid ais --home-dir /app --shell /usr/sbin/nologin ais

WORKDIR /app

# Dependencies first, so that code changes do not invalidate this layer. Only the runtime
# set (pyproject.toml's `dependencies`; no test, lint or benchmark tools), with hashes checked.
COPY requirements/runtime.lock /app/requirements/runtime.lock
RUN pip install --require-hashes -r /app/requirements/runtime.lock

# Code and static files stay owned by root (read-only for the app); only media is writable.
COPY . /app

# Static files are collected into the image (served by WhiteNoise). The settings
# refuse to load without SECRET_KEY when DEBUG is off, so a throwaway one is
# given to this command only; it is not kept in the image.
RUN SECRET_KEY=collectstatic-build-only-not-a-real-secret DEBUG=false \
        python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown ais:ais /app/media

USER ais

EXPOSE 8000

# Only checks that gunicorn accepts connections: an HTTP probe would be refused by
# ALLOWED_HOSTS / redirected by SECURE_SSL_REDIRECT. docker-compose.yml disables it
# for the worker and beat containers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import socket; socket.create_connection(('127.0.0.1', 8000), timeout=3).close()"]

CMD ["gunicorn", "ais.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--timeout", "60", \
     "--access-logfile", "-", \
     "--error-logfile", "-"]
