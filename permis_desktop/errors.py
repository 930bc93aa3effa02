"""Errors that carry a French message for the user, and the exit status the CLI gives them."""

from __future__ import annotations


class PermisError(Exception):
    """A failure the user must be told about. `str(error)` is the French message."""

    exit_code = 1


class BadInput(PermisError):
    """The user's input is wrong (file, JSON, value): exit status 2."""

    exit_code = 2


class OperationFailed(PermisError):
    """The input was fine but the operation failed (disk, database, network): exit status 1."""

    exit_code = 1
