"""
The workflow runner behind the engine's public App ``cromwell`` (``bcs asub cromwell …``)::

    python -m bcops_miniwdl.runner --wdl oss://…/x.wdl --inputs oss://…/x.inputs.json|'' \\
        --options oss://…/options.json|'' --working-dir oss://…/ --outputs-dir oss://…/

What it does, and why this way:

1. Fetches the WDL -- and its imports, as objects relative to it under the same OSS prefix,
   found by miniwdl's own parser (a ``read_source`` hook), not by a regular expression -- plus the
   inputs and options JSON, into ``$BCOPS_WORKFLOW_ROOT/runs/<run id>/``: a persistent directory,
   because the engine wipes an instance's working directory, and call-cache entries point at
   the run directories of earlier runs.
2. Turns Cromwell's workflow options into miniwdl configuration: ``bcs_workflow_tag`` (the path
   tag, default ``cromwell``), ``default_runtime_attributes`` and ``continueOnReturnCode`` (task
   runtime defaults), ``read_from_cache``/``write_to_cache`` (call cache, default off, under
   ``$BCOPS_WORKFLOW_ROOT/call-cache/``), ``workflow_failure_mode`` (``NoNewCalls``, Cromwell's
   default, is miniwdl's ``fail_fast = false``), ``final_workflow_outputs_dir`` and
   ``use_relative_output_paths``. Other options are named on stdout as ignored.
3. Runs ``miniwdl run`` in this process (``WDL.CLI.main``: its input checking, logging and error
   reports, without a second interpreter start) with ``container_backend = bcops``: every call an
   engine job in Cromwell's layout under the working dir.
4. Meanwhile rewrites the run's metadata (Cromwell's shape, ``metadata.py``) whenever a call
   changes state: locally and at ``<outputs dir><workflow>.<run id>.metadata.json``, and says
   one line per call event on stdout, for ``bcctl workflow status`` and ``bcs log``.
5. At the end copies the workflow's File outputs to the outputs dir -- at their paths relative
   to their call's work directory, like Cromwell's ``use_relative_output_paths``, so that a
   downstream run can name them before this run exists (the seed's germline run reads the
   processing run's BAM from ``gatk4_outputs/``); outputs that would collide go under
   ``call-<name>/shard-<i>/`` instead -- and writes the final metadata.

Run id: derived from the runner's own job id (``BATCH_COMPUTE_DAG_JOB_ID``), so a restarted
runner job keeps its OSS paths; a restart also finds the calls the earlier attempt finished
(through the call cache, kept per run when the options enable none) instead of running them again.

Exit status: 0 when the workflow succeeded; 1 when it failed or was aborted, with the last line
on stderr ``workflow failed: call X exited N: <stderr tail>``; 2 when the WDL, inputs or options
cannot be read or are invalid; 3 for an internal error (e.g. the engine unreachable).
"""

import argparse
import json
import logging
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Dict, List, Optional, Tuple

from . import depends, engine, layout, metadata, oss
from .final_outputs import copy_final_outputs
from .options import Usage, cfg_text, miniwdl_config

log = logging.getLogger("bcops-runner")



def say(line: str) -> None:
    print(f"{metadata.iso(time.time())} {line}", flush=True)


# --- fetching -------------------------------------------------------------------------------


def read_text(url: str) -> str:
    """An ``oss://`` object, an ``http(s)://`` URL, or a local file, as text."""
    if url.startswith("oss://"):
        bucket, key = layout.split_oss(url)
        b = engine.oss_bucket(bucket)
        try:
            return engine.with_retries(f"read {url}", lambda: b.get_object(key).read(), log).decode("utf-8")
        except oss.NotFound:  # NoSuchKey, NoSuchBucket
            raise Usage(f"{url}: no such object") from None
    if url.startswith(("http://", "https://")):
        import urllib.request

        with urllib.request.urlopen(url, timeout=60) as r:
            return r.read().decode("utf-8")
    try:
        with open(url) as f:
            return f.read()
    except OSError as exn:
        raise Usage(f"{url}: {exn.strerror}") from None


def read_json(url: str, what: str) -> Dict[str, Any]:
    if not url or not url.strip():
        return {}
    text = read_text(url.strip())
    if not text.strip():
        return {}
    try:
        doc = json.loads(text)
    except ValueError as exn:
        raise Usage(f"{what} {url} is not JSON: {exn}") from None
    if not isinstance(doc, dict):
        raise Usage(f"{what} {url} must hold a JSON object")
    return doc


class SourceMirror:
    """
    A local copy of the WDL and its imports, laid out as in OSS (``src/<bucket>/<key>``), so that
    relative imports (``../lib/x.wdl`` too) resolve to the same objects they name in OSS.
    """

    def __init__(self, wdl_url: str, src_dir: str):
        self.src_dir = src_dir
        self.remote = wdl_url.startswith("oss://")
        if self.remote:
            bucket, key = layout.split_oss(wdl_url)
            self.main = os.path.join(src_dir, bucket, key)
            self._fetch(bucket, key)
        else:
            self.main = os.path.abspath(wdl_url)
        self.imports: List[str] = []

    def _fetch(self, bucket: str, key: str) -> str:
        local = os.path.join(self.src_dir, bucket, key)
        if not os.path.isfile(local):
            text = read_text(f"oss://{bucket}/{key}")
            os.makedirs(os.path.dirname(local), exist_ok=True)
            with open(local, "w") as f:
                f.write(text)
        return local

    async def read_source(self, uri, path, importer):
        import WDL

        if self.remote and importer is not None and not uri.startswith(("http://", "https://", "/", "file:")):
            base = os.path.dirname(importer.pos.abspath)
            local = os.path.normpath(os.path.join(base, uri))
            rel = os.path.relpath(local, self.src_dir)
            if rel.startswith(".."):
                raise FileNotFoundError(f"import {uri} leaves the bucket")
            bucket, _, key = rel.partition(os.sep)
            self._fetch(bucket, key.replace(os.sep, "/"))
            self.imports.append(f"oss://{bucket}/{key}")
        return await WDL.read_source_default(uri, path, importer)


# --- progress -------------------------------------------------------------------------------


class Monitor:
    """Rewrites the metadata as calls change state, and says each change on stdout."""

    def __init__(self, doc: Dict[str, Any], run_parent: str, local_path: str, remote_url: str, ctx_root: Dict[str, str], tracker):
        self.doc = doc
        self.run_parent = run_parent
        self.local_path = local_path
        self.remote_url = remote_url
        self.ctx_root = ctx_root
        self.tracker = tracker
        self.stop = threading.Event()
        self.seen: Dict[Tuple, Tuple] = {}
        self.placeholders: set = set()
        self.last_json = None
        self.last_upload = 0.0
        self.dirty = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.earlier = set(os.listdir(run_parent)) if os.path.isdir(run_parent) else set()
        self.refresh_lock = threading.Lock()

    def run_dir(self) -> Optional[str]:
        """This attempt's miniwdl run directory (not an earlier attempt's, which _LAST names at first)."""
        last = os.path.join(self.run_parent, "_LAST")
        if not os.path.exists(last):
            return None
        rd = os.path.realpath(last)
        return None if os.path.basename(rd) in self.earlier else rd

    def refresh(self, final: bool = False) -> None:
        with self.refresh_lock:
            self._refresh(final)

    def _refresh(self, final: bool) -> None:
        rd = self.run_dir()
        calls = metadata.collect_calls(rd, self.ctx_root, self.tracker)
        if not calls and self.tracker.workflow_hit:
            # the whole workflow was a cache hit: no call ran, all are the earlier run's
            calls = metadata.as_hits(metadata.collect_calls(self.tracker.workflow_hit, self.ctx_root, None))
        self.doc["calls"] = calls
        self.doc["progress"] = metadata.summarize(calls)
        if rd:
            self.doc.setdefault("bcops", {})["runDir"] = rd
        for fqn, entries in calls.items():
            for e in entries:
                key = (fqn, tuple(e["shardPath"]), e["attempt"])
                state = (e["executionStatus"], e.get("jobId"), e.get("returnCode"))
                if self.seen.get(key) != state:
                    self.seen[key] = state
                    shard = "/".join(str(i) for i in e["shardPath"])
                    where = f"call {fqn}" + (f" shard {shard}" if shard else "") + (f" attempt {e['attempt']}" if e["attempt"] > 1 else "")
                    extra = ""
                    if e.get("jobId"):
                        extra += f" job {e['jobId']}"
                    if e.get("returnCode") is not None and e["executionStatus"] not in ("Starting", "Running"):
                        extra += f" rc {e['returnCode']}"
                    if e["callCaching"].get("hit"):
                        extra += " (cache hit: " + e["callCaching"]["result"][len("Cache Hit: ") :] + ")"
                    say(f"{where}: {e['executionStatus']}{extra}")
                if e["callCaching"].get("hit") and key not in self.placeholders:
                    self.placeholders.add(key)
                    self._placeholder(fqn, e)
        text = json.dumps(self.doc, indent=2, sort_keys=True, default=str)
        if text != self.last_json:
            self.last_json = text
            tmp = self.local_path + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, self.local_path)
            self.dirty = True
        if self.dirty and self.remote_url and (final or time.time() - self.last_upload >= 1.0):
            try:
                from .outputs import put_bytes

                put_bytes(text.encode(), self.remote_url, log, deadline_s=(600 if final else 30))
                self.dirty = False
                self.last_upload = time.time()
            except Exception as exn:
                log.warning(f"could not write the metadata to {self.remote_url}: {exn}")

    def _placeholder(self, fqn: str, entry: Dict[str, Any]) -> None:
        """Cromwell's ``reference`` strategy: the hit's call root holds a note, not copies."""
        here = entry.get("bcops", {}).get("callRootHere")
        if not here:
            return
        try:
            from .outputs import put_bytes

            put_bytes(
                (f"{fqn} shard {entry['shardIndex']} was a call-cache hit; its results stay where the earlier call left them:\n"
                 f"{entry['callCaching']['result'][len('Cache Hit: '):]}\n").encode(),
                here + "call_caching_placeholder.txt",
                log,
                deadline_s=30,
            )
        except Exception as exn:
            log.warning(f"could not write the call-caching placeholder for {fqn}: {exn}")

    def _loop(self):
        while not self.stop.wait(0.5):
            try:
                self.refresh()
            except Exception as exn:  # progress must never kill the run
                log.warning(f"progress update failed: {exn}")

    def start(self):
        self.thread.start()

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=5)
        self.refresh(final=True)


# --- main -----------------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="python -m bcops_miniwdl.runner", description="Run a WDL workflow on the bcops engine, one engine job per call.")
    ap.add_argument("--wdl", required=True, help="oss:// path of the WDL (imports are fetched relative to it)")
    ap.add_argument("--inputs", default="", help="oss:// path of the inputs JSON, or ''")
    ap.add_argument("--options", default="", help="oss:// path of the workflow options JSON, or ''")
    ap.add_argument("--working-dir", default="", help="oss:// prefix for call roots (WORKING_DIR)")
    ap.add_argument("--outputs-dir", required=True, help="oss:// prefix for final outputs and metadata (OUTPUTS_DIR)")
    ap.add_argument("--depends-on", default="", help="WorkflowRuns (WorkflowRun/NAME, comma separated) whose newest run must succeed first")
    ap.add_argument("--run-id", default="", help="run id (default: derived from BATCH_COMPUTE_DAG_JOB_ID)")
    ap.add_argument("--verbose", action="store_true", help="log the calls' stderr and miniwdl's details")
    return ap.parse_args(argv)


def workflow_root_dir() -> str:
    root = os.environ.get("BCOPS_WORKFLOW_ROOT", "").strip()
    if not root:
        data = os.environ.get("BCOPS_DATA", "").strip() or os.path.expanduser("~/.local/share/bcops")
        root = os.path.join(data, "workflows")
    return os.path.abspath(root)


def main(argv=None) -> int:
    from WDL._util import TerminationSignalFlag

    args = parse_args(argv if argv is not None else sys.argv[1:])
    # miniwdl's CLI configures the root logger (its format and verbosity); ours has its own handler
    h = logging.StreamHandler(sys.stderr)
    h.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    log.addHandler(h)
    log.setLevel(logging.INFO)
    log.propagate = False
    os.environ.setdefault("NO_COLOR", "1")
    start = time.time()
    run_id = args.run_id or layout.run_id_for_job(os.environ.get("BATCH_COMPUTE_DAG_JOB_ID"))
    root = workflow_root_dir()
    run_root = os.path.join(root, "runs", run_id)
    os.makedirs(run_root, exist_ok=True)
    outputs_dir = layout.as_prefix(args.outputs_dir.strip())
    working_dir = layout.as_prefix(args.working_dir.strip()) if args.working_dir.strip() else ""
    doc: Dict[str, Any] = {
        "id": run_id,
        "status": "Running",
        "start": metadata.iso(start),
        "end": None,
        "inputs": {},
        "outputs": {},
        "calls": {},
        "failures": [],
        "labels": {"bcops-runner-job": os.environ.get("BATCH_COMPUTE_DAG_JOB_ID", "")},
        "submittedFiles": {"workflow": args.wdl, "inputs": args.inputs, "options": args.options},
        "bcops": {"runRoot": run_root, "workingDir": working_dir, "outputsDir": outputs_dir},
    }
    workflow = os.path.splitext(os.path.basename(args.wdl))[0] or "workflow"
    monitor: Optional[Monitor] = None
    exit_code = 0
    failure: Optional[str] = None
    with TerminationSignalFlag(log) as terminating:
        try:
            engine.credentials()
            depends.wait(args.depends_on, os.environ.get("BATCH_COMPUTE_DAG_JOB_ID"), say, terminating)
            import WDL
            import WDL.CLI

            from WDL._util import NOTICE_LEVEL, VERBOSE_LEVEL

            # miniwdl's CLI sets the root level with basicConfig, a no-op once the root has a
            # handler (the tracker's): set it as the CLI would, first
            logging.basicConfig(level=VERBOSE_LEVEL if args.verbose else NOTICE_LEVEL)
            tracker = metadata.Tracker()
            tracker.on_workflow_done = workflow_done
            logging.getLogger().addHandler(tracker)
            mirror = SourceMirror(args.wdl, os.path.join(run_root, "src"))
            inputs = read_json(args.inputs, "inputs")
            options = read_json(args.options, "options")
            doc["inputs"] = inputs
            try:
                wdl_doc = WDL.load(mirror.main, read_source=mirror.read_source)
            except (WDL.Error.SyntaxError, WDL.Error.ValidationError, WDL.Error.MultipleValidationErrors, WDL.Error.ImportError) as exn:
                raise Usage(f"WDL {args.wdl}: {wdl_error_text(exn)}") from None
            exe = wdl_doc.workflow or (wdl_doc.tasks[0] if len(wdl_doc.tasks) == 1 else None)
            if exe is None:
                raise Usage(f"WDL {args.wdl} has no workflow (and not exactly one task)")
            workflow = exe.name
            tag = str(options.get("bcs_workflow_tag") or "cromwell")
            doc["workflowName"] = workflow
            doc["bcops"]["tag"] = tag
            if working_dir:
                doc["workflowRoot"] = layout.workflow_root(working_dir, workflow, tag, run_id)
            metadata_url = layout.metadata_url(outputs_dir, workflow, run_id)
            doc["bcops"]["metadata"] = metadata_url
            say(f"run {run_id} of workflow {workflow} (tag {tag})")
            say(f"metadata: {metadata_url}")
            if working_dir:
                say(f"call roots under {doc['workflowRoot']}")
            if mirror.imports:
                say("imports: " + ", ".join(mirror.imports))
            cfg, notes = miniwdl_config(options, root, run_root, run_id, working_dir, tag)
            for n in notes:
                say(n)
            cfg_path = os.path.join(run_root, "bcops.cfg")
            with open(cfg_path, "w") as f:
                f.write(cfg_text(cfg))
            inputs_path = os.path.join(run_root, "inputs.json")
            with open(inputs_path, "w") as f:
                json.dump(inputs, f, indent=2)
            run_parent = os.path.join(run_root, "attempts")
            os.makedirs(run_parent, exist_ok=True)
            stop_orphans(run_parent)
            ctx_root = {"workflow": workflow, "tag": tag, "id": run_id, "working_dir": working_dir}
            monitor = Monitor(doc, run_parent, os.path.join(run_root, "metadata.json"), metadata_url, ctx_root, tracker)
            monitor.refresh()
            monitor.start()
            out_json = os.path.join(run_root, "outputs.json")
            cli = ["run", mirror.main, "--cfg", cfg_path, "--dir", run_parent, "-o", out_json]
            if inputs:
                cli += ["-i", inputs_path]
            if args.verbose:
                cli.append("--verbose")
            if terminating():
                raise KeyboardInterrupt
            miniwdl_rc = 0
            try:
                with reusing_document(mirror.main, wdl_doc):
                    WDL.CLI.main(cli)
            except SystemExit as exn:
                miniwdl_rc = exn.code if isinstance(exn.code, int) else 1
            result = metadata.read_json_file(out_json) or {}
            monitor.refresh()
            upload_errors = drain_uploads()
            if upload_errors:
                doc["bcops"]["uploadErrors"] = upload_errors[:20]
            if miniwdl_rc == 0 and "outputs" in result:
                relative = options.get("use_relative_output_paths", True) is not False
                dest = str(options.get("final_workflow_outputs_dir") or outputs_dir)
                doc["outputs"] = copy_final_outputs(result["outputs"], exe, dest, relative, workflow, run_id)
                doc["status"] = "Succeeded"
                if tracker.workflow_hit:
                    say(f"the whole workflow was a call-cache hit of {tracker.workflow_hit}")
            else:
                rd = monitor.run_dir()
                failure = metadata.run_failure(rd, ctx_root, doc["calls"]) or result.get("message") or f"miniwdl exited {miniwdl_rc}"
                err = metadata.read_json_file(os.path.join(rd, "error.json")) if rd else None
                aborted = bool(terminating() or (err and "Terminated" in json.dumps(err)))
                if aborted:
                    failure = "aborted by a termination signal; running calls were stopped"
                doc["status"] = "Aborted" if aborted else "Failed"
                doc["failures"] = [{"message": failure, "causedBy": []}]
                if not rd and result.get("error") in ("InputError", "ValidationError", "SyntaxError", "MultipleValidationErrors"):
                    exit_code = 2
                else:
                    exit_code = 1
        except depends.DependencyFailed as exn:
            failure, exit_code = str(exn), 1
            doc["status"], doc["failures"] = "Failed", [{"message": failure, "causedBy": []}]
        except Usage as exn:
            failure, exit_code = str(exn), 2
            doc["status"], doc["failures"] = "Failed", [{"message": failure, "causedBy": []}]
        except KeyboardInterrupt:
            failure, exit_code = "aborted before the workflow started", 1
            doc["status"], doc["failures"] = "Aborted", [{"message": failure, "causedBy": []}]
        except Exception as exn:
            log.exception("runner error")
            failure, exit_code = f"internal error: {type(exn).__name__}: {exn}", 3
            doc["status"], doc["failures"] = "Failed", [{"message": failure, "causedBy": []}]
        finally:
            settle_calls()
            doc["end"] = metadata.iso(time.time())
            doc.setdefault("workflowName", workflow)
            if monitor is not None:
                monitor.finish()
            else:
                write_fallback_metadata(doc, run_root, outputs_dir, workflow, run_id)
    p = doc.get("progress", {})
    if exit_code == 0:
        hits = sum(1 for es in doc["calls"].values() for e in es if e["callCaching"].get("hit"))
        say(f"workflow succeeded: {p.get('done', 0)} calls done ({hits} cache hits) in {time.time() - start:.1f}s")
        return 0
    say(f"workflow {doc['status'].lower()} after {time.time() - start:.1f}s")
    sys.stdout.flush()
    one_line = " ".join(str(failure).split("\n")).strip()
    print(f"workflow failed: {one_line}", file=sys.stderr, flush=True)
    return exit_code


@contextmanager
def reusing_document(path: str, doc):
    """
    ``miniwdl run`` (``WDL.CLI.main``) given the document already loaded from ``path`` instead of
    loading it a second time (20-50 ms: lark parses it again and miniwdl type-checks it again).
    The first load read the same files (the mirror's), with the same checks, so the document is
    the one the CLI would make; any other document the CLI loads is loaded as usual.
    """
    import WDL.CLI

    original = WDL.CLI.load
    wanted = os.path.abspath(path)

    def load(uri, *args, **kwargs):
        if isinstance(uri, str) and os.path.abspath(uri) == wanted:
            return doc
        return original(uri, *args, **kwargs)

    WDL.CLI.load = load
    try:
        yield
    finally:
        WDL.CLI.load = original


def stop_orphans(run_parent: str) -> None:
    """
    A restarted runner: stop the jobs an earlier attempt left running. Its finished calls come
    back as cache hits; the unfinished ones are submitted again (Cromwell's recovery re-submits
    too), so their old jobs would only compete with the new ones.
    """
    try:
        attempts = [os.path.join(run_parent, d) for d in os.listdir(run_parent) if d != "_LAST"]
    except OSError:
        return
    client = None
    for rd in attempts:
        for cd in metadata.task_call_dirs(rd):
            rec = metadata.read_json_file(os.path.join(cd, "bcops-call.json")) or {}
            for a in rec.get("attempts", []):
                if a.get("jobId") and a.get("state") in ("Submitting", "Waiting", "Running"):
                    try:
                        client = client or engine.bc_client()
                        client.stop_job(a["jobId"])
                        say(f"stopped {a['jobId']} ({rec.get('call')}), left running by an earlier attempt of this run")
                    except Exception as exn:
                        if "StateConflict" not in str(exn):
                            log.warning(f"could not stop {a['jobId']}: {exn}")


def workflow_done() -> None:
    """
    miniwdl says the workflow is done (its outputs, its cache entry and its exit still to come):
    no call is to come, so the held uploads (outputs.Uploader.HOLD) and the jobs' ends
    (backend._Endings) are wanted now, before the runner's final outputs and metadata.
    """
    from . import outputs

    outputs.release()
    backend = sys.modules.get("bcops_miniwdl.backend")
    if backend is not None:
        backend.hurry()


def settle_calls() -> None:
    """The engine's end of every call job is in its record before the final metadata is written."""
    backend = sys.modules.get("bcops_miniwdl.backend")  # not imported: no call ran
    if backend is not None and not backend.settle():
        log.warning("some call jobs had not ended after 120 s; their records say Running")


def drain_uploads() -> List[str]:
    from .outputs import drain

    return drain()


def write_fallback_metadata(doc, run_root, outputs_dir, workflow, run_id):
    text = json.dumps(doc, indent=2, sort_keys=True, default=str)
    with open(os.path.join(run_root, "metadata.json"), "w") as f:
        f.write(text)
    try:
        from .outputs import put_bytes

        put_bytes(text.encode(), layout.metadata_url(outputs_dir, workflow, run_id), log, deadline_s=60)
    except Exception as exn:
        log.warning(f"could not write the metadata: {exn}")


def wdl_error_text(exn) -> str:
    import WDL

    if isinstance(exn, WDL.Error.MultipleValidationErrors):
        return "; ".join(wdl_error_text(e) for e in exn.exceptions)
    pos = getattr(exn, "pos", None)
    where = f"{os.path.basename(pos.abspath or pos.uri)}:{pos.line}:{pos.column}: " if pos else ""
    msg = str(exn)
    if isinstance(exn, WDL.Error.SyntaxError) and msg.strip():
        msg = msg.strip().splitlines()[0]  # lark lists every expected token after the first line
    cause = exn.__cause__
    if isinstance(exn, WDL.Error.ImportError) and cause is not None:
        msg += f" ({cause})"
    return where + msg


if __name__ == "__main__":
    code = main()
    # The run's objects (miniwdl's documents, ~100,000) need no collection at exit: freezing
    # them saves the ~0.15 s the interpreter's last collection takes (bench/workflow.sh).
    import gc

    gc.freeze()
    sys.exit(code)
