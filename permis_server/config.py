"""Where the server keeps its state: the data folder, the database URL, upload limits.

Read from the command line, else from the environment (which is also how `serve` hands its
options to uvicorn's worker processes). Kept free of heavy imports so that the back-office
commands start quickly.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024
ENV_DATA_DIR = "PERMIS_SERVER_DATA_DIR"
ENV_DATABASE_URL = "PERMIS_SERVER_DATABASE_URL"
ENV_MAX_BLOB_BYTES = "PERMIS_SERVER_MAX_BLOB_BYTES"
DATABASE_FILE = "permis-server.sqlite3"


def default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("permis-server", "permis-desktop"))


def data_dir_from(value: str | None) -> Path:
    chosen = value or os.environ.get(ENV_DATA_DIR) or None
    return Path(chosen).expanduser().resolve() if chosen else default_data_dir()


def database_url_from(data_dir: Path, value: str | None) -> str:
    """The URL given, else $PERMIS_SERVER_DATABASE_URL, else SQLite in the data folder."""
    url = value or os.environ.get(ENV_DATABASE_URL) or None
    return url or f"sqlite:///{data_dir / DATABASE_FILE}"


def max_blob_bytes_from_env() -> int:
    return int(os.environ.get(ENV_MAX_BLOB_BYTES) or DEFAULT_MAX_BLOB_BYTES)
