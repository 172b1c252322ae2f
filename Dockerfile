# One image for both services: the public chat service and the internal admin service.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY shared_nlu ./shared_nlu
COPY core ./core
COPY chat_platform ./chat_platform
COPY admin ./admin
COPY madoguchi ./madoguchi
RUN pip install --no-compile . && useradd --system --home /app madoguchi

COPY bots ./bots
RUN mkdir -p /app/var && chown madoguchi /app/var
USER madoguchi

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
CMD ["madoguchi", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
