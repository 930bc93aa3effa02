"""An in-memory keyring for the tests that store the desk's token (sync and its settings).

The backend class is defined inside `install_memory_keyring`, not at import: a
`KeyringBackend` subclass registers itself as a candidate for every later keyring
initialisation, in any test module.
"""

from __future__ import annotations

from typing import Any

import keyring
from keyring.backend import KeyringBackend


def install_memory_keyring() -> Any:
    """Make an empty in-memory keyring the current one and return it (`.values` holds it)."""

    class MemoryKeyring(KeyringBackend):
        """Stands for the OS keychain, which a test machine has not got."""

        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.values: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.values.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.values[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.values.pop((service, username), None)

    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend
