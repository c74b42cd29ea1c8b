"""
``bcops``: a miniwdl container backend that runs each call (each scatter shard, each retry) as
one BatchCompute DAG job on the bcops engine -- the shape of Cromwell's BCS backend, with
miniwdl-aws's ``BatchJob`` as the model of a TaskContainer that submits and polls.

Why it looks like this:

- *One job per call attempt*, a single task named ``cromwell`` with one instance, submitted
  through the official SDK, so ``bcs j`` and ``bcctl jobs`` show every call as a real job, and
  its stdout/stderr redirect paths are the call root's ``bcs-stdout/``/``bcs-stderr/`` exactly as
  in the seed's tree.
- *Shared filesystem*, like miniwdl-aws on EFS: the engine runs instances on the host that runs
  miniwdl, so the job's command is ``/bin/bash <call dir>/worker`` and the call's work directory is
  the run directory's (``container_dir = host_dir``). The worker is Cromwell's: environment
  variables ``cwd``, ``exec``, ``stdout``, ``stderr`` (plus ``rc`` and ``started``) say where to run
  what and where its streams and return code go. Input files are symlinked into
  ``work/_miniwdl_inputs/`` (absolute links: the job's working directory is elsewhere).
- *Polling*: GetJob with backoff from ``poll_min`` (0.05 s) to ``poll_max`` (2 s); meanwhile the
  ``rc`` file the worker writes is watched (inotify, ``filewatch``; else a look every 5 ms). The
  worker writes ``rc`` once the command has ended, so the call's result is known then,
  and the call goes on at once: the engine records the job's end 2-10 ms later, and that record
  (state, times, ``bcsJob.<id>.json``) is collected in the background (``_Endings``), which the
  runner waits for before its final metadata. Connection errors are retried for
  ``engine_down_timeout``: a restarted engine keeps (adopts) the job, so the call goes on. Submission carries an idempotent
  token, so a create retried after a lost answer does not make a second job.
- *Termination*: when miniwdl is told to stop, the job is stopped and deleted (Cromwell's abort),
  and ``Terminated`` is raised.
- *State mapping* (Cromwell's ``RunStatus``): the ``rc`` file, once the worker has written it
  (whatever state the job then ends in); a job that ends without one: Finished → 0, else a failure carrying the job's ``Message``
  (a timeout, a missing container runtime, a cluster that does not exist).
- *Jobs are kept* after they end, whatever ``autoReleaseJob`` says, so that ``bcs j`` lists them and
  ``bcctl logs`` finds them; ``[bcops] honor_auto_release = true`` restores Cromwell's delete.
- *Records*: ``bcsJob.<id>.json`` (GetJob's answer, like miniwdl-aws's ``awsBatchJobDetail``) and
  ``bcops-call.json`` (per attempt: job id, submit/process-start/start/end, return code) in the
  call directory, from which the runner builds the run's metadata.

``cpu``, ``memory`` and the other Google-only keys are warned about and ignored: on BatchCompute
a node's size is its instance type (the ``cluster`` attribute).
"""

import atexit
import hashlib
import json
import os
import shlex
import threading
import time
from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import WDL
from WDL._util import StructuredLogMessage as _
from WDL._util import write_atomic
from WDL.runtime.error import CommandFailed, Terminated
from WDL.runtime.task_container import TaskContainer

from . import engine, filewatch, runtime_attributes, settings as settings_mod
from .settings import CallContext

MINIWDL_STOCK_DOCKER = "ubuntu:22.04"
TERMINAL = ("Finished", "Failed", "Stopped")
#: the engine's record of a job whose command has ended (its rc file is there) is first asked for
#: this long after (by then the next call is submitted and started: a call's end is followed by
#: the next one's submission 10-20 ms later, its start 10-20 ms after that), then after twice as
#: long, and so on; outputs.Uploader.HOLD is the same wait for the same reason
ENDING_FIRST_LOOK = 0.05

WORKER = """#!/bin/bash
# bcops worker (Cromwell's BCS worker, on a shared filesystem): run the call's script in its work
# directory, its streams appended to the call's stdout/stderr, and leave its return code in $rc.
# bash 5 has the time without starting a process (a comma in some locales)
t=${EPOCHREALTIME:-$(date +%s.%N)}
echo "${t/,/.}" > "$started" 2>/dev/null
cd "$cwd" || { echo "worker: cannot enter $cwd" >&2; echo 1 > "$rc"; exit 1; }
"$shell" "$exec" >> "$stdout" 2>> "$stderr" < /dev/null
code=$?
# one write, no `mv` process: a reader takes rc once it ends in a newline (BcsJob._read_rc)
echo "$code" > "$rc"
exit "$code"
"""


def iso(t: Optional[float]) -> Optional[str]:
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def engine_time(s: Optional[str]) -> Optional[str]:
    """The engine's ``2026-12-06 12:18:09.566545`` (UTC) as ISO 8601."""
    if not s:
        return None
    try:
        return iso(datetime.strptime(str(s), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp())
    except ValueError:
        try:
            return iso(datetime.strptime(str(s), "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp())
        except ValueError:
            return str(s)


class BcsJob(TaskContainer):
    """TaskContainer that runs the command as a BatchCompute job on the bcops engine."""

    _settings: settings_mod.Settings
    _resource_limits: Dict[str, int]
    _cluster_ids: Dict[str, str] = {}
    _warned: set = set()
    _lock = threading.Lock()
    _stock_docker_default = False

    @classmethod
    def global_init(cls, cfg, logger):
        cls._settings = settings_mod.load(cfg)
        endpoint, key_id, _secret = engine.credentials()  # fail now, with how to fix it, if unset
        # BatchCompute sizes a node by its instance type; miniwdl must not clamp or queue by cpu/memory.
        cls._resource_limits = {"cpu": 1 << 16, "mem_bytes": 1 << 60}
        cls._cluster_ids = {}
        cls._warned = set()
        defaults = cfg.get_dict("task_runtime", "defaults") if cfg.has_option("task_runtime", "defaults") else {}
        cls._stock_docker_default = defaults.get("docker") == MINIWDL_STOCK_DOCKER
        if not cls._settings.working_dir:
            logger.warning(
                "[bcops] working_dir is not set (MINIWDL__BCOPS__WORKING_DIR or BCOPS_WORKING_DIR): "
                "calls run, but nothing is written to OSS call roots"
            )
        logger.info(
            _(
                "initialized bcops BatchCompute backend",
                endpoint=endpoint,
                access_key_id=key_id,
                working_dir=cls._settings.working_dir,
                tag=cls._settings.tag,
                default_cluster=cls._settings.default_cluster,
            )
        )

    @classmethod
    def detect_resource_limits(cls, cfg, logger):
        return cls._resource_limits

    def __init__(self, cfg, run_id, host_dir):
        super().__init__(cfg, run_id, host_dir)
        # the job sees the run directory at the same path (same host): no in-container paths
        self.container_dir = self.host_dir
        #: set by the task plugin (outputs.task_plugin) before the command runs
        self.bcs_context: Optional[CallContext] = None
        #: runtime keys the task's own runtime section sets (task plugin), to tell miniwdl's stock
        #: default image from one the WDL asks for
        self.bcs_task_runtime_keys: Optional[set] = None
        self.bcs_attrs: Dict[str, Any] = {}
        self.bcs_runtime = runtime_attributes.BcsRuntime()
        self.bcs_attempts: List[Dict[str, Any]] = []
        self._record_lock = threading.Lock()

    # --- directories: one work dir for every attempt (the command's paths name it) ---------------

    def host_work_dir(self):
        return os.path.join(self.host_dir, "work")

    def reset(self, logger) -> None:
        work = self.host_work_dir()
        if os.path.isdir(work):
            os.rename(work, f"{work}-attempt{self.try_counter}")
        super().reset(logger)

    # --- runtime attributes ------------------------------------------------------------------

    def process_runtime(self, logger, runtime_eval):
        raw = {k: v.json for k, v in runtime_eval.items()}
        try:
            rt = runtime_attributes.parse(raw)
        except runtime_attributes.RuntimeAttributeError as exn:
            raise WDL.Error.RuntimeError(str(exn)) from None
        for key, message in rt.warnings:
            self._warn_once(logger, (self.run_id.split("-")[1] if "-" in self.run_id else self.run_id, key), message)
        # miniwdl handles docker/container, maxRetries, returnCodes, env; not the Google keys
        super().process_runtime(logger, {k: v for k, v in runtime_eval.items() if k not in runtime_attributes.GOOGLE_ONLY_KEYS})
        if rt.continue_on_return_code is not None and "returnCodes" not in self.runtime_values:
            self.runtime_values["returnCodes"] = "*" if rt.continue_on_return_code is True else list(rt.continue_on_return_code)
        self.bcs_attrs = raw
        self.bcs_runtime = rt
        # Said used, so that miniwdl does not warn "ignored runtime settings" of the keys this
        # backend reads (cluster, timeout, mounts, …); Google's keys were warned about above.
        for key in raw:
            if key not in runtime_attributes.GOOGLE_ONLY_KEYS:
                self.runtime_values.setdefault(key, raw[key])

    @classmethod
    def _warn_once(cls, logger, key, message):
        with cls._lock:
            if key in cls._warned:
                return
            cls._warned.add(key)
        logger.warning(message)

    def image(self, logger) -> Optional[str]:
        """The image the call asks for, or None (ignore_docker; or only miniwdl's stock default)."""
        if self._settings.ignore_docker:
            return None
        docker = self.bcs_runtime.docker or self.runtime_values.get("docker")
        if not docker:
            return None
        task_keys = self.bcs_task_runtime_keys
        from_task = task_keys is not None and ("docker" in task_keys or "container" in task_keys)
        if self._stock_docker_default and docker == MINIWDL_STOCK_DOCKER and not from_task:
            # miniwdl's own default image, not the WDL's: Cromwell has no default image
            return None
        return docker

    # --- running -----------------------------------------------------------------------------

    def _run(self, logger, terminating, command):
        s = self._settings
        ctx = self.bcs_context or settings_mod.call_context(s, [os.path.basename(os.path.dirname(self.host_dir)), self.run_id], self.host_dir)
        rt = self.bcs_runtime
        attempt = self.try_counter
        tag = rt.tag or ctx.tag
        record: Dict[str, Any] = {
            "attempt": attempt,
            "callRoot": ctx.call_root(attempt, tag),
            "jobName": ctx.job_name(attempt, tag),
            "state": "Submitting",
        }
        self.bcs_attempts.append(record)
        recorded = False
        try:
            with ExitStack() as cleanup:
                self._prepare(command)
                # watched before the job exists, so that no rc can come unseen
                rc_watch = filewatch.watch(self.host_dir, "rc")
                if rc_watch is not None:
                    cleanup.enter_context(rc_watch)
                client = engine.bc_client()
                desc = self._job_description(logger, client, ctx, record, tag)
                record["submitTime"] = iso(time.time())
                submit_t = time.time()
                job_id = self._submit(logger, client, desc, attempt, terminating)
                record["jobId"] = job_id
                record["state"] = "Waiting"
                self._write_record(ctx)
                logger.notice(_("BatchCompute job submitted", jobId=job_id, name=record["jobName"], callRoot=record["callRoot"]))
                exit_code = self._await(logger, cleanup, client, job_id, record, ctx, terminating, submit_t, rc_watch)
                recorded = True  # _await wrote the record as it ended
                if exit_code == 0 and rt.fail_on_stderr and os.path.getsize(self.host_stderr_txt()) > 0:
                    raise CommandFailed(
                        exit_code,
                        self.host_stderr_txt(),
                        self.host_stdout_txt(),
                        message="failOnStderr is true and the command wrote to standard error",
                    )
                return exit_code
        except Exception as exn:
            if record.get("state") == "Submitting":  # never became a job
                record["state"], record["message"] = "NotSubmitted", str(exn)
            raise
        finally:
            if not recorded:
                self._write_record(ctx)
            if s.upload and record.get("callRoot"):
                from .outputs import upload_call_files

                try:
                    upload_call_files(self, record["callRoot"], logger)
                except Exception as exn:  # the call's own result matters more than its copies
                    logger.warning(_("could not upload the call's files to its call root", callRoot=record["callRoot"], error=str(exn)))

    def _prepare(self, command: str) -> None:
        """script, worker, empty streams, and links to the inputs."""
        env = self.runtime_values.get("env", {}) or {}
        exports = "".join(f"export {k}={shlex.quote(str(v))}\n" for k, v in sorted(env.items()))
        write_atomic(exports + command, os.path.join(self.host_dir, "script"))
        write_atomic(WORKER, os.path.join(self.host_dir, "worker"))
        for p in (os.path.join(self.host_dir, n) for n in ("rc", "rc.tmp", "started")):
            if os.path.exists(p):
                os.unlink(p)
        for p in (self.host_stdout_txt(), self.host_stderr_txt()):
            with open(p, "w"):
                pass
        os.makedirs(self.host_work_dir(), exist_ok=True)
        prefix = os.path.join(self.container_dir, "work/_miniwdl_inputs/")
        for host_fn, container_fn in self.input_path_map.items():
            assert container_fn.startswith(prefix)
            src, dst = host_fn.rstrip("/"), container_fn.rstrip("/")
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.lexists(dst):
                os.unlink(dst)
            os.symlink(os.path.abspath(src), dst)

    def _job_description(self, logger, client, ctx: CallContext, record, tag) -> Dict[str, Any]:
        s = self._settings
        pieces = runtime_attributes.task_pieces(self.bcs_runtime, s.default_cluster, s.default_timeout)
        if "ClusterName" in pieces:
            pieces["ClusterId"] = self._cluster_id(logger, client, pieces.pop("ClusterName"))
        env = {
            "cwd": self.host_work_dir(),
            "exec": os.path.join(self.host_dir, "script"),
            "stdout": self.host_stdout_txt(),
            "stderr": self.host_stderr_txt(),
            "rc": os.path.join(self.host_dir, "rc"),
            "started": os.path.join(self.host_dir, "started"),
            "shell": self.cfg.get("task_runtime", "command_shell").split()[0],
        }
        env.update(pieces.pop("EnvVars", {}))
        command: Dict[str, Any] = {
            "CommandLine": "/bin/bash " + shlex.quote(os.path.join(self.host_dir, "worker")),
            "PackagePath": "",
            "EnvVars": env,
        }
        image = self.image(logger)
        pieces.pop("DockerImage", None)
        if image:
            command["Docker"] = {"Image": image}
        root = record["callRoot"]
        task: Dict[str, Any] = {
            "InstanceCount": 1,
            "MaxRetryCount": 0,  # miniwdl retries (maxRetries), one job per attempt, as Cromwell did
            "Parameters": {
                "Command": command,
                "StdoutRedirectPath": (root + "bcs-stdout/") if root else "",
                "StderrRedirectPath": (root + "bcs-stderr/") if root else "",
            },
        }
        task.update(pieces)
        return {
            "Name": record["jobName"],
            "Description": f"bcops workflow {ctx.workflow} run {ctx.workflow_id} call {ctx.fqn} shard {ctx.shard_index} attempt {record['attempt']}"[:256],
            "Priority": 1,
            "Type": "DAG",
            "JobFailOnInstanceFail": True,
            "AutoRelease": False,
            "DAG": {"Tasks": {"cromwell": task}, "Dependencies": {}},
        }

    def _cluster_id(self, logger, client, name: str) -> str:
        with self._lock:
            if name in self._cluster_ids:
                return self._cluster_ids[name]
        ids: Dict[str, str] = {}
        marker = ""
        while True:
            page = engine.with_retries("list clusters", lambda: client.list_clusters(marker, 100), logger, self._settings.engine_down_timeout)
            for c in page.Items:
                ids.setdefault(c.Name, c.Id)
            marker = getattr(page, "NextMarker", "") or ""
            if not marker:
                break
        if name not in ids:
            raise WDL.Error.RuntimeError(
                f"runtime.cluster: \"{name}\" is neither a cls- id nor the name of a Cluster on the engine"
                + (f" (clusters: {', '.join(sorted(ids))})" if ids else " (the engine has no clusters)")
            )
        with self._lock:
            self._cluster_ids.update(ids)
        return ids[name]

    def _submit(self, logger, client, desc, attempt, terminating) -> str:
        from batchcompute.resources import JobDescription

        token = hashlib.sha1(f"{os.path.abspath(self.host_dir)}|{attempt}".encode()).hexdigest()[:32]

        def create():
            return client.create_job(JobDescription(desc), token).Id

        try:
            return engine.with_retries("submit job", create, logger, self._settings.engine_down_timeout, terminating)
        except Exception as exn:
            raise WDL.Error.RuntimeError(f"BatchCompute refused the call's job: {exn}") from None

    def _await(self, logger, cleanup, client, job_id, record, ctx, terminating, submit_t, rc_watch=None) -> int:
        s = self._settings
        rc_path = os.path.join(self.host_dir, "rc")
        poll_stderr = cleanup.enter_context(self.poll_stderr_context(logger))
        delay, next_get, last_json, running = s.poll_min, 0.0, None, False
        while True:
            if terminating():
                self._abort(logger, client, job_id)
                record["state"] = "Aborted"
                raise Terminated(quiet=not running)
            if rc_watch is not None:
                rc_watch.clear()  # before the look: an rc written after it sets it again
            now = time.time()
            rc = self._read_rc(written=True) if os.path.exists(rc_path) else None
            if rc is not None:
                # The command has ended (the worker writes rc once it has its code): the call's
                # result is known. The engine records the job's end 2-10 ms later;
                # that record is collected in the background (_Endings), not waited for here.
                return self._command_ended(logger, job_id, record, ctx, submit_t, poll_stderr, rc)
            if now >= next_get:
                job = engine.with_retries(
                    "get job " + job_id, lambda: client.get_job(job_id), logger, s.engine_down_timeout, terminating
                )
                state = job.State
                detail = dict(job.content) if hasattr(job, "content") else {"State": state}
                detail_json = json.dumps(detail, indent=2, sort_keys=True, default=str)
                if detail_json != last_json:
                    last_json = detail_json
                    write_atomic(detail_json, os.path.join(self.host_dir, f"bcsJob.{job_id}.json"))
                if state == "Running" and not running:
                    running = True
                    cleanup.enter_context(self.task_running_context())
                    with self._record_lock:
                        record["state"] = "Running"
                        record["startTime"] = engine_time(detail.get("StartTime"))
                    self._note_process_start(record, submit_t)
                    self._write_record(ctx)
                    logger.notice(_("BatchCompute job running", jobId=job_id))
                if state in TERMINAL:
                    return self._finish(logger, client, job_id, detail, record, ctx, submit_t, poll_stderr)
                next_get = now + delay
                delay = min(delay * 1.5, s.poll_max)
            poll_stderr()
            # The rc file is the first sign of a call's end, and a chain of calls pays the wait
            # to see it once per call (bench/workflow.sh): inotify wakes this loop when the worker
            # leaves it (filewatch); without inotify, a 5 ms look costs a stat.
            if rc_watch is not None:
                rc_watch.wait(max(0.0, min(next_get - time.time(), 0.05)))
            else:
                time.sleep(0.005)

    def _command_ended(self, logger, job_id, record, ctx, submit_t, poll_stderr, rc) -> int:
        poll_stderr()
        if "processStart" not in record:
            self._note_process_start(record, submit_t)
        with self._record_lock:
            record["returnCode"] = rc
        self._write_record(ctx)
        logger.notice(_("BatchCompute job's command ended", jobId=job_id, rc=rc))
        _endings.add(self, logger, job_id, record, ctx)
        return rc

    def _job_ended(self, logger, client, job_id, detail, record, ctx) -> None:
        """The engine's record of a job whose command ended: the attempt's state and times (_Endings)."""
        state = detail.get("State")
        message = detail.get("Message") or ""
        write_atomic(json.dumps(detail, indent=2, sort_keys=True, default=str), os.path.join(self.host_dir, f"bcsJob.{job_id}.json"))
        with self._record_lock:
            record.update(
                {
                    "state": state,
                    "startTime": record.get("startTime") or engine_time(detail.get("StartTime")),
                    "endTime": engine_time(detail.get("EndTime")),
                    "message": message,
                }
            )
        self._write_record(ctx)
        logger.notice(_("BatchCompute job ended", jobId=job_id, state=state, rc=record.get("returnCode"), message=message))
        self._release(logger, client, job_id, state)

    def _release(self, logger, client, job_id, state) -> None:
        if self._settings.honor_auto_release and self.bcs_runtime.auto_release_job is not False and state == "Finished":
            try:
                engine.with_retries("delete job", lambda: client.delete_job(job_id), logger, 60)
            except Exception as exn:
                logger.warning(_("could not release the job", jobId=job_id, error=str(exn)))

    def _note_process_start(self, record, submit_t):
        try:
            with open(os.path.join(self.host_dir, "started")) as f:
                t = float(f.read().strip())
            with self._record_lock:
                record["processStart"] = iso(t)
                record["overheadMs"] = round((t - submit_t) * 1000, 1)
        except (OSError, ValueError):
            pass

    def _finish(self, logger, client, job_id, detail, record, ctx, submit_t, poll_stderr) -> int:
        poll_stderr()
        state = detail.get("State")
        message = detail.get("Message") or ""
        rc = self._read_rc()
        with self._record_lock:
            record.update(
                {
                    "state": state,
                    "startTime": record.get("startTime") or engine_time(detail.get("StartTime")),
                    "endTime": engine_time(detail.get("EndTime")),
                    "message": message,
                    "returnCode": rc,
                }
            )
        if "processStart" not in record:
            self._note_process_start(record, submit_t)
        self._write_record(ctx)
        logger.notice(_("BatchCompute job ended", jobId=job_id, state=state, rc=rc, message=message))
        self._release(logger, client, job_id, state)
        if rc is not None:
            return rc
        if state == "Finished":
            logger.warning(_("job finished without writing its rc file; taking 0", jobId=job_id))
            return 0
        self.failure_info = {"jobId": job_id, "state": state, "message": message}
        raise WDL.Error.RuntimeError(
            f"BatchCompute job {job_id} {state.lower() if state else 'ended'}" + (f": {message}" if message else ""),
            more_info=self.failure_info,
        )

    def _read_rc(self, written: bool = False) -> Optional[int]:
        """The return code in the rc file; with ``written``, only once the worker's line is whole."""
        try:
            with open(os.path.join(self.host_dir, "rc")) as f:
                text = f.read()
            if written and not text.endswith("\n"):
                return None  # being written: its close wakes the watch again
            return int(text.strip())
        except (OSError, ValueError):
            return None

    def _abort(self, logger, client, job_id):
        """Cromwell's abort: stop the job unless it has ended, then delete it."""
        for what, fn in (("stop", client.stop_job), ("delete", client.delete_job)):
            try:
                engine.with_retries(f"{what} job {job_id}", lambda: fn(job_id), logger, 30)
            except Exception as exn:
                if what == "stop" and "StateConflict" in str(exn):
                    continue  # already ended
                logger.warning(_(f"could not {what} the job", jobId=job_id, error=str(exn)))
        logger.notice(_("BatchCompute job stopped and deleted", jobId=job_id))

    def _write_record(self, ctx: CallContext):
        # Under the lock: the call's thread and _Endings' (an earlier attempt's end) both write it,
        # and the later write must carry the later state.
        with self._record_lock:
            doc = {
                "call": ctx.fqn,
                "workflow": ctx.workflow,
                "workflowId": ctx.workflow_id,
                "shardIndex": ctx.shard_index,
                "runtimeAttributes": self.bcs_attrs,
                "attempts": [dict(a) for a in self.bcs_attempts],
            }
            write_atomic(json.dumps(doc, indent=2, default=str), os.path.join(self.host_dir, "bcops-call.json"))

    def delete_work(self, logger, delete_streams: bool = False) -> None:
        super().delete_work(logger, delete_streams)
        for name in ("script", "worker"):
            p = os.path.join(self.host_dir, name)
            if os.path.isfile(p):
                os.unlink(p)


class _Endings:
    """
    Jobs whose command has ended but whose end the engine had not recorded when the call went
    on: one thread asks for each (GetJob, ``ENDING_FIRST_LOOK`` after, then less often) and
    writes the attempt's state and times into ``bcops-call.json``. ``settle()`` waits for them
    all, asking at once: the runner settles before its final metadata, and a plain ``miniwdl
    run`` at exit, so the records end complete either way. A runner killed in between leaves
    the attempt ``Running`` with its return code; its restart's stop of that job finds it ended.
    """

    def __init__(self):
        self.cond = threading.Condition()
        self.pending: List[Dict[str, Any]] = []
        self.thread: Optional[threading.Thread] = None

    def add(self, container: "BcsJob", logger, job_id: str, record, ctx) -> None:
        now = time.time()
        entry = {"container": container, "logger": logger, "jobId": job_id, "record": record, "ctx": ctx,
                 "due": now + ENDING_FIRST_LOOK, "delay": ENDING_FIRST_LOOK, "since": now, "failing": None}
        with self.cond:
            self.pending.append(entry)
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, daemon=True, name="bcops-endings")
                self.thread.start()
                atexit.register(self.settle)
            self.cond.notify_all()

    def hurry(self) -> None:
        """Ask for every pending job's end now, then every 2, 4, 8 … ms (no call is to come)."""
        with self.cond:
            now = time.time()
            for e in self.pending:
                e["due"], e["delay"] = min(e["due"], now), min(e["delay"], 0.002)
            self.cond.notify_all()

    def settle(self, timeout: float = 120.0) -> bool:
        """Wait until every pending job's end is recorded (asking now); whether all were."""
        deadline = time.time() + timeout
        self.hurry()
        with self.cond:
            while self.pending and time.time() < deadline:
                self.cond.wait(min(0.05, max(0.0, deadline - time.time())))
            return not self.pending

    def _loop(self) -> None:
        client = None
        while True:
            with self.cond:
                while True:
                    now = time.time()
                    due = [e for e in self.pending if e["due"] <= now]
                    if due:
                        break
                    self.cond.wait(min(e["due"] for e in self.pending) - now if self.pending else None)
            for e in due:
                client, done = self._look(e, client)
                with self.cond:
                    if done:
                        self.pending.remove(e)
                    else:
                        e["due"] = time.time() + e["delay"]
                        e["delay"] = min(e["delay"] * 2, 2.0)
                    self.cond.notify_all()

    def _look(self, e, client):
        c, logger, job_id = e["container"], e["logger"], e["jobId"]
        try:
            client = client or engine.bc_client()
            job = client.get_job(job_id)
        except Exception as exn:
            first = e["failing"] = e["failing"] or time.time()
            if engine._transient(exn) and time.time() - first < c._settings.engine_down_timeout:
                return client, False
            logger.warning(_("could not learn how the job ended", jobId=job_id, error=str(exn)))
            return client, True
        e["failing"] = None
        detail = dict(job.content) if hasattr(job, "content") else {"State": job.State}
        if job.State not in TERMINAL:
            return client, False
        try:
            c._job_ended(logger, client, job_id, detail, e["record"], e["ctx"])
        except Exception as exn:
            logger.warning(_("could not record the job's end", jobId=job_id, error=str(exn)))
        return client, True


_endings = _Endings()


def hurry() -> None:
    """No call is to come: collect the pending jobs' ends now rather than later."""
    _endings.hurry()


def settle(timeout: float = 120.0) -> bool:
    """Wait until the engine's end of every call job whose command has ended is recorded."""
    return _endings.settle(timeout)
