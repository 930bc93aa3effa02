#!/usr/bin/env python3
"""Bootstrap for the two quick-start commands: `python3 run.py app` and `python3 run.py test`.

It creates (or reuses) a virtual environment in `.venv/`, installs the project with its test
extras whenever `pyproject.toml` changed since the last install, then runs the application or
the test suite inside it. Only the standard library is used, so it works on a fresh machine
with nothing but Python >= 3.11.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("PERMIS_VENV", ROOT / ".venv"))
STAMP = VENV / ".permis-installed"


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py may be started by an old Python
        sys.exit("permis-desktop demande Python 3.11 ou plus récent.")
    python = venv_python()
    if not python.exists():
        print(f"Création de l'environnement virtuel dans {VENV} …", file=sys.stderr, flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        # On stderr, so that `TOKEN=$(python3 run.py server … token create …)` stays clean.
        print("Installation des dépendances …", file=sys.stderr, flush=True)
        subprocess.check_call(
            [str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], stdout=sys.stderr
        )
        subprocess.check_call(
            [str(python), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"],
            cwd=ROOT,
            stdout=sys.stderr,
        )
        STAMP.write_text(wanted)
    return python


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"app", "test", "check", "permis", "bench", "server"}:
        print(
            "Usage : python3 run.py app [options]    lance l'application\n"
            "        python3 run.py test [pytest…]   lance toute la suite de tests\n"
            "        python3 run.py check            ruff, mypy puis la suite rapide\n"
            "        python3 run.py permis …         commande permis (sans fenêtre)\n"
            "        python3 run.py server …         serveur de dossiers (permis-server)\n"
            "        python3 run.py bench [nom]      bancs de mesure (bench/)"
        )
        return 2
    python = str(ensure_venv())
    command, rest = argv[0], argv[1:]
    if command == "app":
        args = [python, "-m", "permis_desktop.app", *rest]
    elif command == "permis":
        args = [python, "-m", "permis_desktop.cli", *rest]
    elif command == "server":
        args = [python, "-m", "permis_server.cli", *rest]
    elif command == "check":
        for step in (
            [python, "-m", "ruff", "check", "."],
            [python, "-m", "ruff", "format", "--check", "."],
            [python, "-m", "mypy", "permis_desktop", "permis_server"],
        ):
            if subprocess.call(step, cwd=ROOT) != 0:
                return 1
        args = [python, "-m", "pytest", *rest]
    elif command == "bench":
        args = [python, str(ROOT / "bench" / "run.py"), *rest]
    else:
        env_args = rest or ["-m", "slow or not slow"]
        args = [python, "-m", "pytest", *env_args]
    return subprocess.call(args, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
