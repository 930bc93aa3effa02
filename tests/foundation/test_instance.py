from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from permis_desktop.instance import AlreadyRunning, InstanceLock

HOLD = """
import sys, time
from pathlib import Path
from permis_desktop.instance import InstanceLock
lock = InstanceLock(Path(sys.argv[1])); lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
"""


def test_second_instance_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    lock_file = tmp_path / "permis.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(AlreadyRunning, match="déjà ouvert") as caught:
            InstanceLock(lock_file).acquire()
        assert caught.value.holder == str(holder.pid)
    finally:
        holder.stdin.close()
        holder.wait(10)
    # The OS released the lock with the process: the next start succeeds.
    with InstanceLock(lock_file):
        assert lock_file.read_text() != ""


def test_killed_instance_leaves_no_stale_lock(tmp_path: Path) -> None:
    lock_file = tmp_path / "permis.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait(10)
    lock = InstanceLock(lock_file)
    lock.acquire()
    lock.release()
    assert lock_file.exists()
