FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
# The static files are part of the image (STATIC_ROOT is /app/staticfiles, outside the data
# volume on VIGIA_VAR_DIR); whitenoise serves them with DEBUG off.
RUN python manage.py compilemessages --ignore=.venv -v 0 && \
    SECRET_KEY=build python manage.py collectstatic --noinput -v 0
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
