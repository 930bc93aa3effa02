"""The watched folder and the "À classer" inbox, with real files in temporary folders."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from permis_desktop.errors import BadInput
from permis_desktop.scan.devices.watch import (
    ASSIGNED_DIR,
    DISMISSED_DIR,
    FolderWatcher,
    Inbox,
    InboxFile,
    WatchedFolder,
    _copy_then_remove,
    inbox_dir,
)


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "orange").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Inbox]:
    watched = tmp_path / "scans"
    watched.mkdir()
    return watched, Inbox(inbox_dir(tmp_path / "data"))


def test_file_reported_only_once_stable(folders: tuple[Path, Inbox]) -> None:
    watched, _ = folders
    watcher = FolderWatcher(watched, stable_polls=2)
    data = jpeg_bytes()
    target = watched / "scan001.jpg"
    with target.open("wb") as handle:
        handle.write(data[:100])
        handle.flush()
        assert watcher.poll() == []  # first sight
        handle.write(data[100:])
        handle.flush()
        assert watcher.poll() == []  # grew: not stable
    assert watcher.poll() == [target]  # same size twice in a row
    assert watcher.poll() == []  # reported once


def test_rewritten_file_is_reported_again(folders: tuple[Path, Inbox]) -> None:
    watched, _ = folders
    watcher = FolderWatcher(watched, stable_polls=1)
    target = watched / "a.pdf"
    target.write_bytes(b"%PDF-1.4 first")
    assert watcher.poll() == [target]
    target.write_bytes(b"%PDF-1.4 second version")
    assert watcher.poll() == [target]


def test_ignored_names_and_empty_files(folders: tuple[Path, Inbox]) -> None:
    watched, _ = folders
    watcher = FolderWatcher(watched, stable_polls=1)
    (watched / ".hidden.jpg").write_bytes(b"x")
    (watched / "scan.jpg.part").write_bytes(b"x")
    (watched / "~lock.pdf").write_bytes(b"x")
    (watched / "notes.txt").write_bytes(b"x")
    (watched / "empty.pdf").write_bytes(b"")
    (watched / "sub.pdf").mkdir()
    assert watcher.poll() == []
    (watched / "empty.pdf").write_bytes(b"%PDF")
    assert watcher.poll() == [watched / "empty.pdf"]


def test_missing_folder_yields_nothing_then_works(tmp_path: Path) -> None:
    folder = tmp_path / "not-yet"
    watcher = FolderWatcher(folder, stable_polls=1)
    assert watcher.poll() == []
    folder.mkdir()
    (folder / "x.png").write_bytes(b"png")
    assert watcher.poll() == [folder / "x.png"]


def test_stable_files_move_into_the_inbox(folders: tuple[Path, Inbox]) -> None:
    watched, inbox = folders
    wf = WatchedFolder(watched, inbox, stable_polls=2)
    data = jpeg_bytes()
    (watched / "scan.jpg").write_bytes(data)
    assert wf.poll() == []
    (received,) = wf.poll()
    assert received.path == inbox.root / "scan.jpg"
    assert received.path.read_bytes() == data
    assert not (watched / "scan.jpg").exists()
    assert [f.name for f in inbox.items()] == ["scan.jpg"]


def test_same_name_twice_keeps_both(folders: tuple[Path, Inbox]) -> None:
    watched, inbox = folders
    wf = WatchedFolder(watched, inbox, stable_polls=1)
    (watched / "scan.pdf").write_bytes(b"%PDF first")
    wf.poll()
    (watched / "scan.pdf").write_bytes(b"%PDF second")
    wf.poll()
    names = sorted(f.name for f in inbox.items())
    assert names == ["scan (2).pdf", "scan.pdf"]
    assert (inbox.root / "scan (2).pdf").read_bytes() == b"%PDF second"


def test_assign_and_dismiss_move_never_delete(folders: tuple[Path, Inbox]) -> None:
    watched, inbox = folders
    wf = WatchedFolder(watched, inbox, stable_polls=1)
    for name in ("bill.pdf", "ad.pdf", "id.jpg"):
        (watched / name).write_bytes(b"%PDF " + name.encode())
    wf.poll()
    items = {f.name: f for f in inbox.items()}
    assigned = inbox.assign(items["bill.pdf"])
    dismissed = inbox.dismiss(items["ad.pdf"].path)
    assert assigned == inbox.root / ASSIGNED_DIR / "bill.pdf"
    assert dismissed == inbox.root / DISMISSED_DIR / "ad.pdf"
    assert assigned.read_bytes() == b"%PDF bill.pdf"
    assert dismissed.read_bytes() == b"%PDF ad.pdf"
    assert [f.name for f in inbox.items()] == ["id.jpg"]
    with pytest.raises(BadInput, match="plus dans"):
        inbox.assign(items["bill.pdf"])
    with pytest.raises(BadInput, match="n'est pas dans"):
        inbox.dismiss(assigned)


def test_inbox_survives_a_restart(folders: tuple[Path, Inbox]) -> None:
    watched, inbox = folders
    WatchedFolder(watched, inbox, stable_polls=1).poll()
    (watched / "late.tif").write_bytes(b"II*\x00tiff")
    WatchedFolder(watched, inbox, stable_polls=1).poll()
    assert [f.name for f in Inbox(inbox.root).items()] == ["late.tif"]


def test_copy_across_file_systems_keeps_data_and_times(tmp_path: Path) -> None:
    source = tmp_path / "a" / "scan.jpg"
    source.parent.mkdir()
    source.write_bytes(jpeg_bytes())
    os.utime(source, (1_700_000_000, 1_700_000_000))
    target = tmp_path / "b" / "scan.jpg"
    target.parent.mkdir()
    _copy_then_remove(source, target)
    assert not source.exists()
    assert Image.open(target).size == (120, 80)
    assert int(target.stat().st_mtime) == 1_700_000_000
    assert [p.name for p in target.parent.iterdir()] == ["scan.jpg"]


def test_unmovable_file_stays_in_place_and_is_retried(tmp_path: Path) -> None:
    watched = tmp_path / "scans"
    watched.mkdir()
    (watched / "keep.pdf").write_bytes(b"%PDF")
    blocked = tmp_path / "inbox"
    blocked.write_bytes(b"a file where the inbox folder should be")
    wf = WatchedFolder(watched, Inbox(blocked), stable_polls=1)
    assert wf.poll() == []
    assert (watched / "keep.pdf").read_bytes() == b"%PDF"
    # The obstacle goes away (the printer released the file, the share became writable):
    # the next poll moves it.
    blocked.unlink()
    (received,) = wf.poll()
    assert received.path == blocked / "keep.pdf" and received.path.read_bytes() == b"%PDF"


def test_gives_up_after_repeated_failures_until_the_file_changes(tmp_path: Path) -> None:
    watched = tmp_path / "scans"
    watched.mkdir()
    (watched / "stuck.pdf").write_bytes(b"%PDF")
    blocked = tmp_path / "inbox"
    blocked.write_bytes(b"not a folder")
    wf = WatchedFolder(watched, Inbox(blocked), stable_polls=1)
    for _ in range(WatchedFolder.MAX_MOVE_TRIES + 2):
        assert wf.poll() == []
    blocked.unlink()
    assert wf.poll() == []  # left alone: no endless retries of a file that cannot move
    (watched / "stuck.pdf").write_bytes(b"%PDF-1.7 rewritten")
    assert [f.name for f in wf.poll()] == ["stuck.pdf"]


def test_run_loop_on_a_thread(folders: tuple[Path, Inbox]) -> None:
    watched, inbox = folders
    wf = WatchedFolder(watched, inbox, stable_polls=2)
    stop = threading.Event()
    got: list[InboxFile] = []
    arrived = threading.Event()

    def on_received(files: list[InboxFile]) -> None:
        got.extend(files)
        arrived.set()

    thread = threading.Thread(target=wf.run, args=(stop, on_received, 0.01))
    thread.start()
    try:
        (watched / "mail.pdf").write_bytes(b"%PDF-1.7 from e-mail")
        assert arrived.wait(10)
    finally:
        stop.set()
        thread.join(5)
    assert [f.name for f in got] == ["mail.pdf"]
    assert not thread.is_alive()
