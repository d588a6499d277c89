# unionhub web app and task worker (the same image; docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=0 \
    MEDIA_ROOT=/data/media

WORKDIR /app
COPY requirements/base.txt requirements/base.txt
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt

COPY . .
# Static files and message catalogues are built into the image; the keys here are throwaway values
# that only let settings load for these two commands.
RUN SECRET_KEY=image-build-only FIELD_ENCRYPTION_KEY=aW1hZ2UtYnVpbGQtb25seS1rZXktMDEyMzQ1Njc4OTA= \
    python manage.py collectstatic --noinput \
 && SECRET_KEY=image-build-only FIELD_ENCRYPTION_KEY=aW1hZ2UtYnVpbGQtb25seS1rZXktMDEyMzQ1Njc4OTA= \
    python manage.py compiletranslations \
 && useradd --system --uid 10001 --home /app unionhub \
 && mkdir -p /data/media && chown -R unionhub /data

USER unionhub
EXPOSE 8000
# Bind, workers and the access-log format (no query strings) come from gunicorn.conf.py.
CMD ["gunicorn", "unionhub.wsgi"]
