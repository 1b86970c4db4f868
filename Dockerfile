# syntax=docker/dockerfile:1
# One image for the web server and the worker:
#   docker run IMAGE                 -> zhilv serve   (web, port 8000, HEALTHCHECK on /healthz)
#   docker run IMAGE worker          -> zhilv worker  (jobs; disable the health check)
#   docker run IMAGE migrate         -> zhilv migrate (as the owner role, before a release)
# See docs/deploy.md. (Not built on the development machine: it has no Docker engine.)

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- front-end packages from the npm registry (htmx 2, pinned by package-lock.json) ---
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# --- Python dependencies into a virtual environment ---
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies first (from pyproject.toml alone), so code changes reuse this layer.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY . .
# The product only: .dockerignore already leaves out devtools/ (development stand-ins),
# tests/ and bench/; removing them again keeps a changed ignore file from shipping them,
# and the check fails the build if the stand-ins could still be imported. No dev extra.
RUN rm -rf /app/devtools /app/tests /app/bench \
    && pip install --no-deps -e . \
    && python -c "import importlib.util as u, sys; sys.exit(u.find_spec('devtools') is not None)" \
    && find /app -name '__pycache__' -prune -exec rm -rf {} +
COPY --from=assets /src/node_modules/htmx.org/dist /app/node_modules/htmx.org/dist

# --- runtime ---
FROM ${PYTHON_IMAGE} AS runtime
# CJK fonts and HarfBuzz's subsetter (Chinese PDFs with WeasyPrint: without
# libharfbuzz-subset0 a page takes seconds), and Pango, which WeasyPrint draws with.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 zhilv \
    && useradd --system --uid 10001 --gid zhilv --home-dir /var/lib/zhilv --create-home zhilv
COPY --from=builder /opt/venv /opt/venv
# The code stays owned by root: the service user can read it, not change it.
COPY --from=builder /app /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ZHILV_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/var/lib/zhilv \
    DEMO_DATA=false
WORKDIR /app
USER zhilv
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=3)" || exit 1
ENTRYPOINT ["zhilv"]
CMD ["serve"]
