#!/usr/bin/env python3
"""Run the benchmarks: `python bench/run.py` runs them all, `python bench/run.py NAME` one.

Each benchmark is a script `bench/NAME.py` that prints its own table (measure, target, result).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    available = sorted(
        p.stem
        for p in HERE.glob("*.py")
        if p.stem not in {"run", "__init__"} and not p.stem.startswith("_")
    )
    chosen = argv or available
    unknown = [name for name in chosen if name not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    status = 0
    for name in chosen:
        print(f"\n== {name} ==", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / f"{name}.py")], cwd=HERE.parent)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
