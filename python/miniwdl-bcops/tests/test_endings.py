"""A call's job whose command has ended: its end is recorded in the background (backend._Endings)."""

import json
import logging
import os
import types

import pytest

pytest.importorskip("WDL")

from bcops_miniwdl import backend, engine, settings  # noqa: E402


class FakeJob:
    def __init__(self, state):
        self.State = state
        self.content = {"State": state, "StartTime": "2026-12-06 12:00:00.000000",
                        "EndTime": "2026-12-06 12:00:01.500000" if state in backend.TERMINAL else None, "Message": ""}


class FakeClient:
    def __init__(self, states):
        self.states = list(states)
        self.gets = 0

    def get_job(self, job_id):
        self.gets += 1
        return FakeJob(self.states.pop(0) if len(self.states) > 1 else self.states[0])


def _container(tmp_path):
    c = backend.BcsJob.__new__(backend.BcsJob)  # no miniwdl configuration needed for the record
    c.host_dir = str(tmp_path)
    c.bcs_attrs, c.bcs_attempts = {}, []
    c._record_lock = backend.threading.Lock()
    c._settings = settings.load(None)
    c.bcs_runtime = backend.runtime_attributes.BcsRuntime()
    return c


def test_a_job_ending_after_its_command_is_recorded_and_settled(tmp_path, monkeypatch):
    client = FakeClient(["Running", "Running", "Finished"])
    monkeypatch.setattr(engine, "bc_client", lambda: client)
    c = _container(tmp_path)
    ctx = types.SimpleNamespace(fqn="wf.a", workflow="wf", workflow_id="id", shard_index=-1)
    record = {"attempt": 1, "jobId": "job-1", "state": "Running", "returnCode": 0}
    c.bcs_attempts.append(record)
    endings = backend._Endings()
    endings.add(c, logging.getLogger("test"), "job-1", record, ctx)
    assert endings.settle(10)
    assert client.gets == 3 and not endings.pending
    doc = json.loads((tmp_path / "bcops-call.json").read_text())
    a = doc["attempts"][0]
    assert a["state"] == "Finished" and a["returnCode"] == 0 and a["endTime"] == "2026-12-06T12:00:01.500Z"
    assert json.loads((tmp_path / "bcsJob.job-1.json").read_text())["State"] == "Finished"


def test_settle_with_nothing_pending_returns_at_once():
    assert backend._Endings().settle(0.1)


def test_the_worker_reads_a_time_without_date(tmp_path):
    """bash 5's $EPOCHREALTIME, a dot for a decimal point whatever the locale."""
    import subprocess

    env = {"started": str(tmp_path / "started"), "cwd": str(tmp_path), "rc": str(tmp_path / "rc"), "shell": "/bin/bash",
           "exec": str(tmp_path / "script"), "stdout": str(tmp_path / "stdout"), "stderr": str(tmp_path / "stderr"),
           "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    (tmp_path / "script").write_text("exit 3\n")
    (tmp_path / "worker").write_text(backend.WORKER)
    assert subprocess.run(["/bin/bash", str(tmp_path / "worker")], env=env).returncode == 3
    assert (tmp_path / "rc").read_text().strip() == "3"
    float((tmp_path / "started").read_text().strip())


def test_the_top_workflows_done_alone_calls_the_hook_once():
    from bcops_miniwdl import metadata

    t = metadata.Tracker()
    seen = []
    t.on_workflow_done = lambda: seen.append(1)

    def log(name, msg):
        t.emit(logging.LogRecord(name, 25, __file__, 1, msg, None, None))

    log("wdl.w:wf.t:call-a", "done")  # a task's
    log("wdl.w:wf.w:call-sub", "done")  # a sub-workflow's: calls may follow in the parent
    assert seen == []
    log("wdl.w:wf", "done")
    log("wdl.w:wf", "done")
    assert seen == [1]


def test_uploads_wait_their_hold_unless_released(monkeypatch):
    from bcops_miniwdl import outputs

    puts = []
    monkeypatch.setattr(outputs, "put_bytes", lambda data, url, logger=None: puts.append((url, __import__("time").time())))
    monkeypatch.setattr(outputs.Uploader, "released", False)
    u = outputs.Uploader(workers=1)
    import time

    u.submit([(__file__, "oss://b/k1")])
    assert u.drain() == [] and puts[-1][0] == "oss://b/k1"  # a drain does not wait for the hold
    t2 = time.time()
    u.submit([(__file__, "oss://b/k2")])
    time.sleep(outputs.Uploader.HOLD + 0.2)
    assert puts[-1][0] == "oss://b/k2" and puts[-1][1] - t2 >= outputs.Uploader.HOLD - 0.005
    monkeypatch.setattr(outputs.Uploader, "released", True)
    u.draining.set()
    t = time.time()
    u.submit([(__file__, "oss://b/k3")])
    u.q.join()
    assert puts[-1][0] == "oss://b/k3" and puts[-1][1] - t < outputs.Uploader.HOLD


def test_the_cli_gets_the_document_the_runner_loaded(tmp_path, monkeypatch):
    import WDL.CLI

    from bcops_miniwdl import runner

    calls = []
    monkeypatch.setattr(WDL.CLI, "load", lambda uri, *a, **k: calls.append(uri) or "loaded")
    main, other = str(tmp_path / "main.wdl"), str(tmp_path / "other.wdl")
    doc = object()
    with runner.reusing_document(main, doc):
        assert WDL.CLI.load(main, [], check_quant=True) is doc
        assert WDL.CLI.load(other) == "loaded"
    assert calls == [other]
    assert WDL.CLI.load(main) == "loaded"  # restored
