# Production-like image: the server and the worker (same image, different command).
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv PATH=/opt/venv/bin:$PATH
WORKDIR /app
# the CJK font the label preview renders Chinese addresses with
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-microhei && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir "uv==0.13.9"
COPY pyproject.toml uv.lock README.md LICENSE ./
RUN uv sync --frozen --no-dev --no-install-project
COPY server ./server
COPY optimizer ./optimizer
COPY labels ./labels
COPY pda_client ./pda_client
RUN uv sync --frozen --no-dev
RUN useradd --system --home /app wes && mkdir -p /app/var && chown wes /app/var
USER wes
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"
CMD ["wes", "serve", "--host", "0.0.0.0", "--port", "8000"]
