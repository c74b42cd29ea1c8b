"""
Waking a call's poll loop the moment its worker leaves the ``rc`` file, instead of at its next
look (``backend.BcsJob._await`` used to ``stat`` it every 5 ms).

Why: the ``rc`` file is the first sign that a call's command has ended, and a chain of calls
pays the time to see it once per call (bench/README.md, "Workflows"). Linux's inotify tells
at once, and costs nothing while the command runs, however many calls run at a time.

One inotify instance serves the whole process (instances are few: ``max_user_instances`` is
128 by default, watches are many), with one daemon thread that reads its events and sets the
``threading.Event`` of the directory they are about. Where inotify is missing (not Linux, no
libc, the limits reached), ``watch`` returns ``None`` and the caller polls as before.
"""

import ctypes
import errno
import os
import struct
import threading
from typing import Dict, Optional

IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_Q_OVERFLOW = 0x00004000
IN_IGNORED = 0x00008000
IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of name


class Watch:
    """An ``Event`` set whenever ``name`` is written or renamed into the watched directory."""

    def __init__(self, watcher: "_Watcher", wd: int, name: str):
        self._watcher, self.wd, self.name = watcher, wd, name
        self.event = threading.Event()

    def wait(self, timeout: float) -> bool:
        return self.event.wait(timeout)

    def clear(self) -> None:
        self.event.clear()

    def close(self) -> None:
        self._watcher.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Watcher:
    def __init__(self):
        # the process's own symbols, libc's among them: ctypes.util.find_library would cost
        # ~20 ms (it imports subprocess and asks ldconfig) on the first call's path
        libc = ctypes.CDLL(None, use_errno=True)
        self._add = libc.inotify_add_watch
        self._add.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32)
        self._rm = libc.inotify_rm_watch
        self._rm.argtypes = (ctypes.c_int, ctypes.c_int)
        self.fd = libc.inotify_init1(IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        self.lock = threading.Lock()
        self.watches: Dict[int, Watch] = {}
        threading.Thread(target=self._read, daemon=True, name="bcops-filewatch").start()

    def add(self, directory: str, name: str) -> Optional[Watch]:
        with self.lock:
            wd = self._add(self.fd, os.fsencode(directory), IN_CLOSE_WRITE | IN_MOVED_TO)
            if wd < 0:
                return None  # ENOSPC (max_user_watches), ENOENT, ...
            if wd in self.watches:  # one watcher per directory: a second would steal the first's events
                return None
            w = self.watches[wd] = Watch(self, wd, name)
            return w

    def remove(self, w: Watch) -> None:
        with self.lock:
            if self.watches.get(w.wd) is w:
                del self.watches[w.wd]
                self._rm(self.fd, w.wd)

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except InterruptedError:
                continue
            except OSError as exn:
                if exn.errno == errno.EINTR:
                    continue
                with self.lock:  # the instance is gone: wake everyone, who then poll
                    for w in self.watches.values():
                        w.event.set()
                return
            wake = []
            with self.lock:
                i = 0
                while i + _EVENT.size <= len(data):
                    wd, mask, _cookie, n = _EVENT.unpack_from(data, i)
                    name = data[i + _EVENT.size : i + _EVENT.size + n].split(b"\0", 1)[0].decode(errors="replace")
                    i += _EVENT.size + n
                    if mask & IN_Q_OVERFLOW:
                        wake.extend(self.watches.values())
                    elif mask & IN_IGNORED:
                        w = self.watches.get(wd)
                        if w is not None:
                            wake.append(w)  # the directory went away: let its poller look
                    else:
                        w = self.watches.get(wd)
                        if w is not None and name == w.name:
                            wake.append(w)
            for w in wake:
                w.event.set()


_watcher: Optional[_Watcher] = None
_failed = False
_lock = threading.Lock()


def watch(directory: str, name: str) -> Optional[Watch]:
    """A ``Watch`` of ``directory/name``, or ``None`` where inotify is not to be had."""
    global _watcher, _failed
    with _lock:
        if _watcher is None and not _failed:
            try:
                _watcher = _Watcher()
            except (OSError, AttributeError):
                _failed = True
        w = _watcher
    if w is None:
        return None
    try:
        return w.add(directory, name)
    except OSError:
        return None
