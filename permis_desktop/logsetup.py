"""Logging: one rotating file in the log folder, verbose with `--debug`."""

from __future__ import annotations

import logging
import logging.handlers

from permis_desktop.paths import AppPaths

FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"


def setup_logging(paths: AppPaths, debug: bool = False) -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_permis", False):
            root.removeHandler(old)
            old.close()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    try:
        paths.log.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            paths.log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True
        )
    except OSError:
        # A read-only log folder must not stop the desk; the error is reported elsewhere.
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler._permis = True  # type: ignore[attr-defined]
    root.addHandler(handler)
