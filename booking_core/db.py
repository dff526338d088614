"""Engines and migrations: which database, how it is opened, and its schema version.

SQLite is opened so that concurrent writers queue instead of failing: WAL journal, a
long busy timeout, and ``BEGIN IMMEDIATE`` so a writer takes the write lock before it
reads (no "database is locked" on upgrade from a read lock).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from platformdirs import user_data_dir
from sqlalchemy import Connection, Engine, event
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_S = 60.0
READONLY = "telecentre_readonly"


def default_sqlite_path() -> Path:
    return Path(user_data_dir("telecentre", appauthor=False)) / "telecentre.db"


def database_url(url: str | None = None) -> URL:
    """Resolve ``DATABASE_URL`` (or the embedded default) to an async driver URL."""
    raw = url if url is not None else os.environ.get("DATABASE_URL", "")
    if not raw.strip():
        return make_url(f"sqlite+aiosqlite:///{default_sqlite_path()}")
    parsed = make_url(raw.strip())
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def create_engine(url: str | URL | None = None, **kwargs: Any) -> AsyncEngine:
    resolved = url if isinstance(url, URL) else database_url(url)
    if is_sqlite(resolved):
        path = resolved.database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_S})
        engine = create_async_engine(resolved, **kwargs)
        _configure_sqlite(engine.sync_engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(resolved, **kwargs)


def create_sync_engine(url: URL) -> Engine:
    """The synchronous twin of a SQLite engine, for transactions run in a worker thread."""
    engine = sa_create_engine(
        url.set(drivername="sqlite+pysqlite"),
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False},
    )
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (pysqlite's implicit BEGIN is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Erased rows are overwritten, not just unlinked (GDPR erasure).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def alembic_config(url: URL) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "booking_core:migrations")
    cfg.set_main_option("sqlalchemy.url", url.render_as_string(hide_password=False))
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` on this engine's database."""

    def _run(connection: Connection) -> None:
        cfg = alembic_config(engine.url)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_run)


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_read)


def head_revision() -> str | None:
    """The newest migration shipped with this code: what a database must be at to be served."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(database_url("sqlite://"))).get_current_head()
