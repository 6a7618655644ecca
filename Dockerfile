FROM python:3.11-slim-bookworm
# WeasyPrint needs Pango; fonts are local (no CDN, no web fonts).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir -e .
COPY . .
RUN for po in locale/*/LC_MESSAGES/django.po */locale/*/LC_MESSAGES/django.po; do msgfmt -o "${po%.po}.mo" "$po"; done
RUN useradd --system --home /var/lib/svu svu && mkdir -p /var/lib/svu && chown svu /var/lib/svu
USER svu
EXPOSE 8000
# The access log leaves out query strings (svu/gunicorn_conf.py); compose runs the same.
CMD ["gunicorn", "--config", "svu/gunicorn_conf.py", "--bind", "0.0.0.0:8000", "svu.wsgi:application"]
