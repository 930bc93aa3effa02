"""Where the application keeps its files.

By default the platform's conventional folders (platformdirs). `--data-dir DIR` or the
`PERMIS_DATA_DIR` environment variable puts everything under one folder instead, for portable
installs (a USB stick at the desk) and for tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from permis_desktop import APP_AUTHOR, APP_NAME

ENV_DATA_DIR = "PERMIS_DATA_DIR"


@dataclass(frozen=True)
class AppPaths:
    data: Path
    config: Path
    cache: Path
    log: Path

    @property
    def database(self) -> Path:
        return self.data / "permis.sqlite3"

    @property
    def blobs(self) -> Path:
        return self.data / "blobs"

    @property
    def backups(self) -> Path:
        return self.data / "backups"

    @property
    def kits(self) -> Path:
        """Kits the filing assistant prepares for drag and drop (removed with the dossier)."""
        return self.data / "kits"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def lock_file(self) -> Path:
        return self.data / "permis.lock"

    @property
    def log_file(self) -> Path:
        return self.log / "permis-desktop.log"

    def ensure(self) -> None:
        for folder in (self.data, self.config, self.cache, self.log, self.blobs, self.backups):
            folder.mkdir(parents=True, exist_ok=True)


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> AppPaths:
    """The folders to use: `data_dir`, else $PERMIS_DATA_DIR, else the platform's folders."""
    chosen = data_dir if data_dir is not None else os.environ.get(ENV_DATA_DIR) or None
    if chosen is not None:
        root = Path(chosen).expanduser().resolve()
        return AppPaths(data=root, config=root / "config", cache=root / "cache", log=root / "logs")
    return AppPaths(
        data=Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        config=Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME, APP_AUTHOR)),
        log=Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )
