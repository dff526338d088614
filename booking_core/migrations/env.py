"""Alembic environment: runs on the connection handed over by ``booking_core.db.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from booking_core.models import Base

config = context.config
connection: Connection | None = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `telecentre db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
