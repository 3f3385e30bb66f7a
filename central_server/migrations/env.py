"""Alembic's environment: runs on the connection ``central_server.migrate`` hands it."""

from __future__ import annotations

from alembic import context

import central_server.models  # noqa: F401  (registers every table on the metadata)
from central_server.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
