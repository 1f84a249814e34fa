"""Where the warehouse's SQL lives, and reading it.

Every statement is a file under ``include/sql`` named for what it does; Python only orders and
parameterises them. The directory is ``$FRESHDESK_SQL_DIR`` when set, else
``<package>/../../include/sql`` (``/work/main/include/sql`` in the repository,
``/opt/airflow/include/sql`` in the docker image), so DAGs can use it as a template search path.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import freshdesk_provider

SQL_DIR_ENV = "FRESHDESK_SQL_DIR"


def sql_dir() -> Path:
    """The directory holding the warehouse's SQL files."""
    explicit = os.environ.get(SQL_DIR_ENV)
    if explicit:
        return Path(explicit)
    return Path(freshdesk_provider.__file__).resolve().parent.parent.parent / "include" / "sql"


def load_sql(relative_name: str) -> str:
    """The text of ``include/sql/<relative_name>`` (read once per process and path)."""
    return _read(str(sql_dir() / relative_name))


@cache
def _read(path: str) -> str:
    # Keyed by the full path, so pointing FRESHDESK_SQL_DIR elsewhere (tests) never serves a
    # statement from the other directory.
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(
            f"SQL file {path} not found; set ${SQL_DIR_ENV} to the include/sql directory"
        ) from None
