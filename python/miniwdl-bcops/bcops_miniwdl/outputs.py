"""
Copies of a call's files in its OSS call root, in Cromwell's layout: ``script``, ``worker``,
``rc``, ``stdout``, ``stderr`` after every attempt (the backend calls ``upload_call_files``), and
the call's ``File``/``Directory`` outputs -- ``glob()`` results included -- after it succeeds (the
task plugin), at their paths relative to the call's work directory (``call-echo/output1``,
``call-globber/out-1/1.txt``), as Cromwell's output mappings put them.

Why a task plugin (``miniwdl.plugin.task``) and not the backend for the outputs: miniwdl itself
evaluates the output section (globs included) after the container has run, and only a task plugin
sees the evaluated outputs. The same plugin hands the backend its place in the run (workflow,
call path, shard) before the command runs, which the backend alone cannot know.

Why uploads through OSS (``bcops_miniwdl.oss``) rather than the engine's ``OutputMapping``: the command runs on the
shared run directory, miniwdl needs the files there, and the engine's mappings need it to run as
root. ``put_object`` only, never multipart: the engine's OSS does not take multipart uploads.
Uploads run in the background (``Uploader``) so they never delay the next call: each waits
``Uploader.HOLD`` after its call's end, while the next call is submitted and started (the engine
shares its cores with those uploads), unless the run is draining them. (The model is
miniwdl-s3upload; unlike it, uploads happen per call, not at the end of the run.)
"""

import atexit
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable, List, Optional, Tuple

import WDL
from WDL._util import StructuredLogMessage as _

from . import engine, layout, settings as settings_mod

CALL_FILES = (("script", "script"), ("worker", "worker"), ("rc", "rc"))


def put_file(local: str, url: str, logger=None, deadline_s: float = 600.0) -> None:
    bucket, key = layout.split_oss(url)
    b = engine.oss_bucket(bucket)
    engine.with_retries(f"upload {url}", lambda: b.put_object_from_file(key, local), logger, deadline_s)


def put_bytes(data: bytes, url: str, logger=None, deadline_s: float = 600.0) -> None:
    bucket, key = layout.split_oss(url)
    b = engine.oss_bucket(bucket)
    engine.with_retries(f"upload {url}", lambda: b.put_object(key, data), logger, deadline_s)


class Uploader:
    """
    Uploads in the background, so that a call's copies in OSS never delay the calls after it: the
    next call reads the local files, not the copies. ``drain()`` waits for what is queued (the
    runner drains before it copies final outputs and at the end; plain ``miniwdl run`` at exit).
    A call's own small files are read when queued (``snapshot``), so that a retry rewriting ``rc``
    cannot change what an earlier attempt's root receives; its outputs, final once it succeeded,
    are read by the upload.

    Each upload starts ``HOLD`` seconds after it was queued (at once while draining): a call's
    end is when the next call is set up, submitted and started, on the same cores as the engine
    that would be storing these objects (bench/README.md, "Workflows"). The copies are no less
    complete, only later by that much.
    """

    SNAPSHOT_BYTES = 1 << 20
    HOLD = 0.05
    #: set once no call is to come (the workflow is done): uploads no longer wait
    released = False

    def __init__(self, workers: int = 4):
        self.q: "queue.Queue" = queue.Queue()
        self.errors: List[str] = []
        self.lock = threading.Lock()
        self.draining = threading.Event()
        self.drainers = 0
        self.threads = [threading.Thread(target=self._work, daemon=True, name=f"bcops-upload-{i}") for i in range(workers)]
        for t in self.threads:
            t.start()

    def submit(self, pairs: Iterable[Tuple[str, str]], logger=None, snapshot: bool = True) -> int:
        n = 0
        start = time.time() + (0 if Uploader.released else self.HOLD)
        for local, url in pairs:
            data = None
            try:
                if not snapshot:
                    if not os.path.exists(local):
                        continue
                elif os.path.getsize(local) <= self.SNAPSHOT_BYTES:
                    with open(local, "rb") as f:
                        data = f.read()
            except OSError:
                continue
            self.q.put((local, url, data, logger, start))
            n += 1
        return n

    def _work(self):
        while True:
            local, url, data, logger, start = self.q.get()
            wait = start - time.time()
            if wait > 0:
                self.draining.wait(wait)
            try:
                if data is not None:
                    put_bytes(data, url, logger)
                else:
                    put_file(local, url, logger)
            except Exception as exn:
                with self.lock:
                    self.errors.append(f"{url}: {exn}")
                if logger:
                    logger.warning(_("could not upload to the call root", url=url, error=str(exn)))
            finally:
                self.q.task_done()

    def drain(self) -> List[str]:
        with self.lock:
            self.drainers += 1
            self.draining.set()
        try:
            self.q.join()
        finally:
            with self.lock:
                self.drainers -= 1
                if not self.drainers and not Uploader.released:
                    self.draining.clear()
        with self.lock:
            errors, self.errors = self.errors, []
        return errors


_uploader: Optional[Uploader] = None
_uploader_lock = threading.Lock()


def uploader() -> Uploader:
    global _uploader
    with _uploader_lock:
        if _uploader is None:
            _uploader = Uploader()
            atexit.register(_uploader.drain)
        return _uploader


def release() -> None:
    """No call is to come (the runner saw the workflow's end): queued uploads go now, new ones at once."""
    Uploader.released = True
    if _uploader is not None:
        _uploader.draining.set()


def drain() -> List[str]:
    """Wait for queued uploads; the errors since the last drain."""
    return _uploader.drain() if _uploader is not None else []


def put_many(pairs: Iterable[Tuple[str, str]], logger=None, background: bool = True, snapshot: bool = True) -> int:
    pairs = list(pairs)
    if not pairs:
        return 0
    if background:
        return uploader().submit(pairs, logger, snapshot)
    with ThreadPoolExecutor(max_workers=min(8, len(pairs))) as pool:
        for f in [pool.submit(put_file, local, url, logger) for local, url in pairs]:
            f.result()
    return len(pairs)


def _background(cfg) -> bool:
    """Uploads may lag behind the call unless miniwdl deletes work directories after calls."""
    try:
        return str(cfg.get("file_io", "delete_work", "false")).strip().lower() in ("false", "")
    except Exception:
        return True


def upload_call_files(container, call_root: str, logger=None) -> None:
    """script, worker, rc, stdout, stderr of the attempt just run, to its call root."""
    pairs = []
    for local_name, remote_name in CALL_FILES:
        p = os.path.join(container.host_dir, local_name)
        if os.path.isfile(p):
            pairs.append((p, call_root + remote_name))
    for p, remote_name in ((container.host_stdout_txt(), "stdout"), (container.host_stderr_txt(), "stderr")):
        if os.path.isfile(p):
            pairs.append((p, call_root + remote_name))
    put_many(pairs, logger, background=_background(container.cfg))


def output_files(outputs, work_dir: str) -> List[Tuple[str, str]]:
    """``(local file, path relative to the work dir)`` for every File/Directory output inside it."""
    work_real = os.path.realpath(work_dir)
    found: List[Tuple[str, str]] = []

    def visit(v):
        path = v.value
        real = os.path.realpath(path)
        rel = os.path.relpath(real, work_real)
        if rel == ".." or rel.startswith("../"):
            return path  # an input passed through, or stdout(): already elsewhere
        if os.path.isdir(real):
            for root, _dirs, files in os.walk(real):
                for fn in files:
                    full = os.path.join(root, fn)
                    found.append((full, os.path.relpath(full, work_real)))
        elif os.path.isfile(real):
            found.append((real, rel))
        return path

    WDL.Value.rewrite_env_paths(outputs, visit)
    seen, unique = set(), []
    for local, rel in found:
        if rel not in seen:
            seen.add(rel)
            unique.append((local, rel))
    return unique


def upload_outputs(outputs, work_dir: str, call_root: str, logger=None, background: bool = True) -> int:
    # no snapshot: a call's outputs do not change once it has succeeded
    return put_many(((local, call_root + rel) for local, rel in output_files(outputs, work_dir)), logger, background, snapshot=False)


def task_plugin(cfg, logger, run_id, run_dir, task, **recv):
    """
    miniwdl task plugin: before the command, tell a ``bcops`` container where its call sits;
    after the call succeeds, upload its outputs to the call root. Other backends pass through.
    """
    from .backend import BcsJob

    s = settings_mod.load(cfg)
    recv = yield recv  # inputs, unchanged
    container: Optional[BcsJob] = recv.get("container") if isinstance(recv.get("container"), BcsJob) else None
    if container is not None:
        container.bcs_context = settings_mod.call_context(s, run_id, run_dir)
        container.bcs_task_runtime_keys = set(task.runtime.keys())
    recv = yield recv  # command and container, unchanged
    if container is not None and s.upload and container.bcs_attempts:
        root = container.bcs_attempts[-1].get("callRoot")
        if root:
            n = upload_outputs(recv["outputs"], container.host_work_dir(), root, logger, _background(cfg))
            logger.info(_("uploading call outputs", callRoot=root, files=n))
    yield recv
