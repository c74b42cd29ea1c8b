"""
A run's metadata, in a subset of Cromwell's shape (``GET /api/workflows/v1/{id}/metadata``), built
from miniwdl's run directory as the run goes.

Why from the run directory: it is the one place every call leaves its state -- the backend's
``bcops-call.json`` (job id, times, return code per attempt), miniwdl's ``outputs.json`` and
``error.json`` -- so the same function serves progress (rewritten while the run goes), the final
document, and a runner that restarts and finds an earlier attempt's directory. What the
directory does not say (when a call was set up, which calls were cache hits, and of which earlier
call) comes from miniwdl's log records, through ``Tracker``.

Shape::

    {"id", "workflowName", "status": Running|Succeeded|Failed|Aborted, "start", "end",
     "inputs", "outputs", "workflowRoot", "labels",
     "calls": {"wf.call": [{"shardIndex", "attempt", "executionStatus", "jobId", "returnCode",
                            "stdout", "stderr", "callRoot", "backend": "BCS", "backendStatus",
                            "callCaching": {"hit", "result"}, "start", "end", "bcops": {…}}]},
     "failures": [{"message", "causedBy": []}]}

``executionStatus`` uses Cromwell's words: QueuedInCromwell, Starting, Running, Done, Failed,
RetryableFailure (an attempt that was retried), Aborted.
"""

import json
import logging
import os
import re
import threading
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Tuple

from . import layout

try:
    from WDL._util import StructuredLogMessage
except ImportError:  # pragma: no cover
    StructuredLogMessage = None  # type: ignore


def iso(t: Optional[float]) -> Optional[str]:
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_TOP_WORKFLOW = re.compile(r"^wdl\.w:[A-Za-z0-9_]+$")  # not a sub-workflow's (wdl.w:a.w:call-b)


class Tracker(logging.Handler):
    """Listens to miniwdl's log for call set-up, completion and cache hits."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.state_lock = threading.Lock()
        self.thread_dir: Dict[int, str] = {}
        self.setup: Dict[str, float] = {}
        self.done: Dict[str, float] = {}
        self.hits: Dict[str, str] = {}
        self.workflow_hit: Optional[str] = None
        #: called (once, on the logging thread) when the top-level workflow says it is done
        self.on_workflow_done: Optional[Callable[[], None]] = None

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.msg
        if StructuredLogMessage is not None and isinstance(msg, StructuredLogMessage):
            text, kw = msg.message, msg.kwargs
        elif isinstance(msg, dict):
            text, kw = msg.get("message"), msg
        else:
            text, kw = str(msg), {}
        with self.state_lock:
            if text == "task setup" and kw.get("dir"):
                d = os.path.abspath(kw["dir"])
                self.thread_dir[record.thread] = d
                self.setup[d] = record.created
            elif text == "call cache hit":
                d = self.thread_dir.get(record.thread)
                if d and d not in self.done:
                    self.hits[d] = kw.get("run_dir") or ""
                elif not d:
                    self.workflow_hit = kw.get("run_dir") or ""
            elif text in ("done", "done (cached)"):
                d = self.thread_dir.get(record.thread)
                if d and ".t:" in record.name:
                    self.done[d] = record.created
                elif self.on_workflow_done is not None and _TOP_WORKFLOW.match(record.name):
                    hook, self.on_workflow_done = self.on_workflow_done, None
                    try:
                        hook()
                    except Exception:  # pragma: no cover - a hint to hurry, never a failure
                        pass


def read_json_file(path: str) -> Optional[Any]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def task_call_dirs(run_dir: str) -> List[str]:
    """Every task call directory under a workflow run directory (into sub-workflows)."""
    out: List[str] = []
    try:
        names = sorted(os.listdir(run_dir))
    except OSError:
        return out
    for name in names:
        d = os.path.join(run_dir, name)
        if not name.startswith("call-") or not os.path.isdir(d):
            continue
        if os.path.exists(os.path.join(d, "task.log")):
            out.append(d)
        elif os.path.exists(os.path.join(d, "workflow.log")):
            out.extend(task_call_dirs(d))
    return out


def original_call_root(call_dir: str) -> Optional[str]:
    """The OSS call root of an earlier call directory (a cache hit's source), if it has one."""
    rec = read_json_file(os.path.join(call_dir, "bcops-call.json"))
    if rec and rec.get("attempts"):
        return rec["attempts"][-1].get("callRoot")
    return None


def stderr_tail(path: Optional[str], limit: int = 300) -> str:
    if not path:
        return ""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 8192))
            lines = [ln.strip() for ln in f.read().decode(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return ""
    tail = lines[-1] if lines else ""
    return tail if len(tail) <= limit else "…" + tail[-limit:]


def call_entries(call_dir: str, top_dir: str, ctx_root: Dict[str, str], tracker: Optional[Tracker]) -> Tuple[str, List[Dict[str, Any]]]:
    """``(fqn, [entries])`` for one task call directory; ``ctx_root`` gives workflow/tag/id/working dir."""
    rel = os.path.relpath(call_dir, top_dir).split(os.sep)
    steps = layout.call_path([ctx_root["workflow"]] + rel)
    fqn = layout.call_fqn(ctx_root["workflow"], steps)
    shard = layout.shard_index(steps)
    # every scatter index on the way down (a shard of a call in a scattered sub-workflow is
    # only unique with the outer indices too); Cromwell nests such calls instead
    shard_path = [i for st in steps for i in st.shards]
    rec = read_json_file(os.path.join(call_dir, "bcops-call.json")) or {}
    attempts = rec.get("attempts") or []
    has_out = os.path.exists(os.path.join(call_dir, "outputs.json"))
    err = read_json_file(os.path.join(call_dir, "error.json"))
    cd = os.path.abspath(call_dir)
    setup_t = done_t = None
    hit_src = None
    if tracker is not None:
        with tracker.state_lock:
            setup_t, done_t, hit_src = tracker.setup.get(cd), tracker.done.get(cd), tracker.hits.get(cd)
    if hit_src is None and not attempts and has_out:
        try:
            with open(os.path.join(call_dir, "task.log")) as f:
                if "done (cached)" in f.read():
                    hit_src = ""
        except OSError:
            pass
    root = ""
    if ctx_root.get("working_dir"):
        root = layout.call_root(ctx_root["working_dir"], ctx_root["workflow"], ctx_root["tag"], ctx_root["id"], steps)
    if hit_src is not None:
        src_root = original_call_root(hit_src) if hit_src else None
        return fqn, [
            {
                "shardIndex": shard,
                "shardPath": shard_path,
                "attempt": 1,
                "executionStatus": "Done",
                "callRoot": src_root or root,
                "stdout": (src_root + "stdout") if src_root else None,
                "stderr": (src_root + "stderr") if src_root else None,
                "backend": "BCS",
                "callCaching": {"hit": True, "result": "Cache Hit: " + (src_root or hit_src or "earlier run")},
                "start": iso(setup_t),
                "end": iso(done_t),
                "bcops": {"callRootHere": root},
            }
        ]
    entries = []
    for i, a in enumerate(attempts):
        last = i == len(attempts) - 1
        state = a.get("state")
        if state in ("Submitting", "Waiting"):
            status = "Starting"
        elif state == "Running":
            status = "Running"
        elif state == "Aborted":
            status = "Aborted"
        elif state == "NotSubmitted":
            status = "Failed" if last else "RetryableFailure"
        elif not last:
            status = "RetryableFailure"
        elif has_out:
            status = "Done"
        elif err is not None:
            status = "Failed"
        else:
            status = "Running"  # ended; miniwdl is collecting its outputs
        r = a.get("callRoot") or root
        entries.append(
            {
                "shardIndex": shard,
                "shardPath": shard_path,
                "attempt": a.get("attempt", i + 1),
                "executionStatus": status,
                "jobId": a.get("jobId"),
                "returnCode": a.get("returnCode"),
                "callRoot": r,
                "stdout": (r + "stdout") if r else None,
                "stderr": (r + "stderr") if r else None,
                "backend": "BCS",
                "backendStatus": state,
                "callCaching": {"hit": False},
                "start": a.get("submitTime"),
                "end": a.get("endTime") if status not in ("Starting", "Running") else None,
                "bcops": {
                    k: a.get(k)
                    for k in ("jobName", "submitTime", "processStart", "startTime", "endTime", "overheadMs", "message")
                    if a.get(k) is not None
                },
            }
        )
    if not entries:
        status = "Failed" if err is not None else ("Done" if has_out else "QueuedInCromwell")
        entries.append(
            {
                "shardIndex": shard,
                "shardPath": shard_path,
                "attempt": 1,
                "executionStatus": status,
                "callRoot": root,
                "backend": "BCS",
                "callCaching": {"hit": False},
                "start": iso(setup_t),
                "end": iso(done_t) if status in ("Done", "Failed") else None,
            }
        )
    if err is not None and entries:
        entries[-1]["failures"] = [{"message": failure_message(err), "causedBy": []}]
    return fqn, entries


def failure_message(err: Dict[str, Any]) -> str:
    cause = err
    while isinstance(cause.get("cause"), dict):
        cause = cause["cause"]
    return cause.get("message") or cause.get("error") or "failed"


def collect_calls(run_dir: Optional[str], ctx_root: Dict[str, str], tracker: Optional[Tracker]) -> Dict[str, List[Dict[str, Any]]]:
    calls: Dict[str, List[Dict[str, Any]]] = {}
    if not run_dir:
        return calls
    for d in task_call_dirs(run_dir):
        fqn, entries = call_entries(d, run_dir, ctx_root, tracker)
        calls.setdefault(fqn, []).extend(entries)
    for entries in calls.values():
        entries.sort(key=lambda e: (e["shardPath"], e["attempt"]))
    return calls


def as_hits(calls: Dict[str, List[Dict[str, Any]]]) -> Dict[str, List[Dict[str, Any]]]:
    """An earlier run's calls, as the cache hits a whole-workflow hit makes them (last attempts only)."""
    out: Dict[str, List[Dict[str, Any]]] = {}
    for fqn, entries in calls.items():
        last: Dict[tuple, Dict[str, Any]] = {}
        for e in entries:
            last[tuple(e["shardPath"])] = e
        for e in last.values():
            root = e.get("callRoot")
            out.setdefault(fqn, []).append(
                {
                    "shardIndex": e["shardIndex"],
                    "shardPath": e["shardPath"],
                    "attempt": 1,
                    "executionStatus": "Done",
                    "callRoot": root,
                    "stdout": e.get("stdout"),
                    "stderr": e.get("stderr"),
                    "backend": "BCS",
                    "callCaching": {"hit": True, "result": "Cache Hit: " + (root or "earlier run")},
                }
            )
    return out


def summarize(calls: Dict[str, List[Dict[str, Any]]]) -> Dict[str, int]:
    """How many calls (shards; last attempts) there are, and how many are done."""
    last: Dict[Any, Dict[str, Any]] = {}
    for fqn, entries in calls.items():
        for e in entries:
            last[(fqn, tuple(e["shardPath"]))] = e
    done = sum(1 for e in last.values() if e["executionStatus"] == "Done")
    return {"calls": len(last), "done": done}


def run_failure(run_dir: Optional[str], ctx_root: Dict[str, str], calls: Dict[str, List[Dict[str, Any]]]) -> Optional[str]:
    """``call X exited N: <stderr tail>`` (or ``call X failed: <why>``) for a failed run, from its error.json."""
    if not run_dir:
        return None
    err = read_json_file(os.path.join(run_dir, "error.json"))
    if err is None:
        return None
    cause = err
    while isinstance(cause.get("cause"), dict) and cause.get("error") == "RunFailed":
        cause = cause["cause"]
    call_dir = cause.get("dir") or err.get("dir")
    fqn = None
    if call_dir and os.path.abspath(call_dir) != os.path.abspath(run_dir):
        rel = os.path.relpath(call_dir, run_dir).split(os.sep)
        fqn = layout.call_fqn(ctx_root["workflow"], layout.call_path([ctx_root["workflow"]] + rel))
    if cause.get("error") == "CommandFailed" and fqn:
        tail = stderr_tail(cause.get("stderr_file"))
        msg = cause.get("message") or ""
        if msg.startswith("failOnStderr"):
            return f"call {fqn} wrote to stderr (failOnStderr): {tail}"
        return f"call {fqn} exited {cause.get('exit_status')}" + (f": {tail}" if tail else "")
    message = cause.get("message") or cause.get("error") or "failed"
    return f"call {fqn} failed: {message}" if fqn else message
