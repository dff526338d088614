# One image for every deployment: `telecentre db upgrade` once, then `telecentre run`.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY booking_core ./booking_core
COPY locales ./locales
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 telecentre
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER telecentre
# DATABASE_URL (postgresql://...) and TELECENTRE_NETWORK (a mounted TOML file) configure it.
ENV PYTHONUNBUFFERED=1
ENTRYPOINT ["telecentre"]
CMD ["demo"]
