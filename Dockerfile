# Multi-stage: build a wheel, then a slim runtime as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY booking_core ./booking_core
COPY locales ./locales
RUN pip install --no-cache-dir babel \
 && pybabel compile --use-fuzzy -d locales \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 telecentre \
 && mkdir -p /data && chown telecentre /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY --from=build /src/locales /opt/telecentre/locales
USER telecentre
ENV PYTHONUNBUFFERED=1 \
    TELECENTRE_LOCALES=/opt/telecentre/locales \
    DATABASE_URL=sqlite:////data/telecentre.db \
    MATRIX_STORE=/data/matrix.json
VOLUME ["/data"]
# Telegram webhook mode only (TELEGRAM_WEBHOOK_URL set): plain HTTP behind a TLS proxy.
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=20s --start-period=30s CMD ["telecentre", "doctor"]
# Migrations first (a no-op when up to date), then serve.
ENTRYPOINT ["sh", "-c", "telecentre db upgrade && exec telecentre run"]
