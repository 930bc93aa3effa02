"""argparse speaking French: help, usage line and error messages, exit status 2 on misuse.

Shared by the `permis` and `permis-server` commands.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)


# argparse's own messages (Python 3.11-3.13 wording), said in French.
_ARGPARSE_FR = (
    (r"the following arguments are required: ", "arguments obligatoires manquants : "),
    (r"one of the arguments (.*) is required", r"l'un des arguments \1 est obligatoire"),
    (r"invalid choice: (.*) \(choose from (.*)\)", r"choix invalide : \1 (possibles : \2)"),
    (r"unrecognized arguments: ", "arguments non reconnus : "),
    (r"invalid (\w+) value: (.*)", r"valeur invalide (\1 attendu) : \2"),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"not allowed with argument ", "incompatible avec l'argument "),
    (r"ambiguous option: (.*) could match (.*)", r"option ambiguë : \1 peut désigner \2"),
    (r"^argument (\S+): ", r"argument \1 : "),
)


def _french(message: str) -> str:
    for pattern, replacement in _ARGPARSE_FR:
        message = re.sub(pattern, replacement, message)
    return message


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse with French help, French usage errors and exit status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        self.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        program = self.prog.split()[0]
        sys.stderr.write(f"{program} : {_french(message)}\n")
        raise SystemExit(2)
