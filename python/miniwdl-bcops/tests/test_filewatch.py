"""The rc-file watch (bcops_miniwdl.filewatch) that wakes a call's poll loop when its command ends."""

import os
import sys
import threading
import time

import pytest

from bcops_miniwdl import filewatch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")


def _later(fn, delay=0.05):
    t = threading.Thread(target=lambda: (time.sleep(delay), fn()))
    t.start()
    return t


def test_rename_and_write_wake_the_waiter_and_other_names_do_not(tmp_path):
    w = filewatch.watch(str(tmp_path), "rc")
    assert w is not None
    with w:
        # renamed into place
        (tmp_path / "stdout").write_text("x")  # another name: no wake
        assert not w.wait(0.05)
        (tmp_path / "rc.tmp").write_text("0\n")
        t = _later(lambda: os.rename(tmp_path / "rc.tmp", tmp_path / "rc"))
        start = time.time()
        assert w.wait(5)
        assert time.time() - start < 1
        t.join()
        # written in place (the worker's way)
        w.clear()
        os.unlink(tmp_path / "rc")
        t = _later(lambda: (tmp_path / "rc").write_text("1\n"))
        assert w.wait(5)
        t.join()


def test_two_directories_and_close(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    wa, wb = filewatch.watch(str(a), "rc"), filewatch.watch(str(b), "rc")
    assert wa is not None and wb is not None
    (b / "rc").write_text("0\n")
    assert wb.wait(5) and not wa.wait(0.05)
    wa.close()
    wb.close()
    # the same directory again, after close: a new watch works
    w = filewatch.watch(str(a), "rc")
    assert w is not None
    (a / "rc").write_text("0\n")
    assert w.wait(5)
    w.close()


def test_a_directory_watched_twice_gets_no_second_watch(tmp_path):
    w = filewatch.watch(str(tmp_path), "rc")
    assert w is not None
    try:
        assert filewatch.watch(str(tmp_path), "rc") is None  # the caller polls instead
    finally:
        w.close()


def test_missing_directory_is_none(tmp_path):
    assert filewatch.watch(str(tmp_path / "nope"), "rc") is None
