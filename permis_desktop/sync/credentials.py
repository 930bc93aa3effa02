"""Where the desk's access token is kept: the operating system's keyring when there is one.

Windows Credential Manager, the macOS Keychain and the Secret Service on Linux desktops are
reached through the `keyring` library. Where none exists (a Linux box without a desktop
session, a portable install), the token stays in the settings file, as `permis config set
sync.token` writes it, and the log says so once. A token found in the settings file is moved
into the keyring when one becomes available.
"""

from __future__ import annotations

import logging
from typing import Any

from permis_desktop.settings import Settings

log = logging.getLogger(__name__)

SERVICE = "permis-desktop"
KEY = "sync.token"


def _keyring() -> Any | None:
    """The keyring module when a real backend is available, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken backend configuration must not stop the desk
        log.warning("keyring unavailable: %s", exc)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def _account(settings: Settings) -> str:
    """The keyring entry of this desk: one per data folder, so that two desks run by the same
    system user (two data folders on one machine) never share a token."""
    return f"{KEY}@{settings.path.parent.resolve()}"


def load_token(settings: Settings) -> str:
    ring = _keyring()
    stored = str(settings.get(KEY) or "").strip()
    if ring is None:
        return stored
    try:
        token = ring.get_password(SERVICE, _account(settings)) or ""
    except Exception as exc:
        log.warning("keyring read failed (%s); using the settings file", exc)
        return stored
    if stored and stored != token:
        # Set by `permis config set sync.token`: newer than what the keyring holds.
        store_token(settings, stored)
        return stored
    return token or stored


def store_token(settings: Settings, token: str) -> str:
    """Keep `token`; returns where: "keyring" or "settings" (the fallback)."""
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(SERVICE, _account(settings), token)
        except Exception as exc:
            log.warning("keyring write failed (%s); the token stays in the settings file", exc)
        else:
            if settings.get(KEY):
                settings.set(KEY, "")
            return "keyring"
    log.info("no keyring on this system: the sync token is kept in the settings file")
    settings.set(KEY, token)
    return "settings"
