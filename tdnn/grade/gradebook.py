"""The gradebook's database, as the class grader uses it: nbgrader's own ``Gradebook`` on any
SQLAlchemy URL, the course's sqlite file by default or a PostgreSQL server that several grading
machines share (``--db-url postgresql+psycopg://...``, :mod:`tdnn.grade.shards`).

Two things depend on the engine: sqlite needs its writers queued (below), and the canary's scratch
gradebook, always a sqlite file, is filled from whichever database the course uses.
"""
from __future__ import annotations

from pathlib import Path

#: The tables that define a course's assignments (what ``generate_assignment`` records); the
#: others hold students, submissions and grades.
DEFINITIONS = ("course", "assignment", "notebook", "base_cell", "grade_cells", "solution_cells",
               "task_cells", "source_cell")


def is_sqlite(db_url: str) -> bool:
    return db_url.startswith("sqlite:")


def shown(db_url: str) -> str:
    """The URL with any password replaced by ``***``, for messages and logs."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


def queue_sqlite_writers() -> None:
    """Workers share a sqlite gradebook. nbgrader opens it in deferred transactions, where two
    writers can deadlock and one fails at once with "database is locked"; each sqlite connection
    therefore starts its transactions with ``BEGIN IMMEDIATE`` and waits for the lock
    (SQLAlchemy's documented pysqlite recipe), so they queue instead of failing. Other engines
    (PostgreSQL) lock rows, not the file, and are left as they are."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "connect")
    def _connect(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.isolation_level = None  # let the "begin" hook below issue BEGIN
            dbapi_connection.execute("PRAGMA busy_timeout = 600000")

    @event.listens_for(Engine, "begin")
    def _begin(connection):
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def copy_definitions(db_url: str, course_id: str, dest: Path) -> None:
    """A new sqlite gradebook at ``dest`` that knows every assignment, notebook and cell of the
    gradebook at ``db_url`` (any engine), and no student: what the canary grades into."""
    from nbgrader.api import Base, Gradebook
    from sqlalchemy import create_engine, select

    Gradebook(f"sqlite:///{dest}", course_id).close()  # nbgrader's schema and alembic stamp
    source, target = create_engine(db_url), create_engine(f"sqlite:///{dest}")
    try:
        with source.connect() as read, target.begin() as write:
            for table in Base.metadata.sorted_tables:  # parents before children
                if table.name not in DEFINITIONS:
                    continue
                key = list(table.primary_key.columns)
                have = {tuple(row) for row in write.execute(select(*key))}
                rows = [dict(row._mapping) for row in read.execute(select(table))
                        if tuple(row._mapping[c.name] for c in key) not in have]
                if rows:
                    write.execute(table.insert(), rows)
    finally:
        source.dispose()
        target.dispose()
