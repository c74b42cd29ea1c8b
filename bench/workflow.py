"""Helper of bench/workflow.sh (run with .build-venv's python: the batchcompute SDK and
bcops_miniwdl, configured from the BCOPS_* variables bench/lib.sh exports). All times are
wall-clock times of this one host: the engine's records (through the SDK), the runner's and
miniwdl's logs and files, bash's $EPOCHREALTIME.

  workflow.py watch CALLS_TSV OUTPUTS_DIR
      A coprocess. Says "ready", then for each line "JOB_ID T0 ROUND" on stdin polls the runner
      job every 50 ms until it ends, reads the run's metadata JSON from OUTPUTS_DIR and the
      run directory it names, and answers one line:
        Finished END CREATED RUNNER_START PY_START WF_START FIRST_SUBMIT FIRST_PROCESS LAST_CALL_END WF_DONE MD_END N_VARIANTS
      (seconds after T0, the moment bcapply started: the runner job's EndTime and CreationTime,
      its instance's StartTime, the runner's own start (metadata `start`), miniwdl's
      `workflow start` log line, the first call's submit and its process start, the last call
      job's EndTime, miniwdl's workflow `done` log line, the metadata's `end`), or
      "Failed <why>". Appends one row per call to CALLS_TSV (CALL_COLUMNS, in ms): `overhead`
      is the plugin's own record (bcops-call.json `overheadMs`: time.time() just before
      CreateJob to the first thing the call's worker does, `date +%s.%N > started`), split at
      the engine's job CreationTime and instance StartTime; then miniwdl's `task setup` ->
      submit, the process (started -> the `rc` file's mtime), its end -> the plugin seeing the
      job ended, -> miniwdl's `done`, and `task setup` -> `done`.
  workflow.py peer RUN_DIR T0 CALLS_TSV ROUND
      "WF_START FIRST_CALL WF_DONE N_VARIANTS" of a plain `miniwdl run` directory: miniwdl's
      `workflow start` line, its first call's process start (the bare backend's `BareContainer`
      line) and its workflow `done` line, after T0; one row per call to CALLS_TSV (PEER_COLUMNS).
  workflow.py stats CALLS_TSV
      NAME COUNT P50 P90 MAX of each column, over every call of every round.
"""
import calendar
import json
import math
import os
import re
import statistics
import sys
import time
from datetime import datetime


def epoch(t):
    """The SDK's naive UTC datetime, as epoch seconds."""
    return calendar.timegm(t.utctimetuple()) + t.microsecond / 1e6


def iso_epoch(s):
    """The runner's ISO 8601 UTC time (2026-12-06T13:21:07.654Z), as epoch seconds."""
    if not s:
        return None
    s = s.rstrip("Z")
    whole, _, frac = s.partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + (float("0." + frac) if frac else 0.0)


def log_epoch(path, pattern):
    """The local-time stamp (2026-12-06 13:21:07.808) of the first line of a miniwdl log that
    matches the regular expression."""
    try:
        with open(path) as f:
            for line in f:
                if re.search(pattern, line):
                    return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").timestamp()
    except (OSError, ValueError):
        pass
    return None


WF_START = r"NOTICE workflow start"
WF_DONE = r"wdl\.w:[A-Za-z0-9_]+ NOTICE done$"


def rel(t, t0):
    return "%.6f" % (t - t0) if t is not None else "nan"


def watch(calls_tsv, outputs_dir):
    from batchcompute import Client

    from bcops_miniwdl import engine, layout, metadata

    endpoint, key_id, secret = engine.credentials()
    host, port, _ = engine.host_port(endpoint)
    Client.register_region("local", host, port)
    client = Client(host, key_id, secret)
    print("ready", flush=True)
    for line in sys.stdin:
        job_id, t0, rnd = line.split()
        t0, deadline = float(t0), time.time() + 600
        while True:
            j = client.get_job(job_id)
            if j.State in ("Finished", "Failed", "Stopped") or time.time() > deadline:
                break
            time.sleep(0.05)
        if j.State != "Finished":
            print("Failed", j.State, j.Message or "(no message)", flush=True)
            continue
        # the runner's instance (the job's one task, whatever its name)
        runner_start = None
        for task in client.list_tasks(job_id, "", 100).Items:
            for inst in client.list_instances(job_id, task.TaskName, "", 100).Items:
                runner_start = epoch(inst.StartTime)
        # the metadata JSON: <outputs dir><workflow>.<run id>.metadata.json
        run_id = layout.run_id_for_job(job_id)
        bucket_name, prefix = layout.split_oss(outputs_dir)
        bucket = engine.oss_bucket(bucket_name)
        md = None
        for obj in bucket.list_objects(prefix=prefix, max_keys=1000).object_list:
            if obj.key.endswith(f".{run_id}.metadata.json"):
                md = json.loads(bucket.get_object(obj.key).read())
        if md is None or md.get("status") != "Succeeded":
            print("Failed", "metadata", (md or {}).get("status"), (md or {}).get("failures"), flush=True)
            continue
        run_dir = md.get("bcops", {}).get("runDir", "")
        hits = [fqn for fqn, entries in md["calls"].items() for e in entries
                if e.get("callCaching", {}).get("hit") or not e.get("jobId")]
        if hits or not run_dir:
            print("Failed", "calls that did not run as jobs (cache hits?):", *hits, run_dir, flush=True)
            continue
        wf_start = log_epoch(os.path.join(run_dir, "workflow.log"), WF_START)
        wf_done = log_epoch(os.path.join(run_dir, "workflow.log"), WF_DONE)
        submits, processes, ends = [], [], []
        rows = []
        for call_dir in metadata.task_call_dirs(run_dir):
            with open(os.path.join(call_dir, "bcops-call.json")) as f:
                rec = json.load(f)
            a = rec["attempts"][-1]
            submit = iso_epoch(a.get("submitTime"))
            overhead = a.get("overheadMs")
            process = submit + overhead / 1000 if overhead is not None else None
            cj = client.get_job(a["jobId"])
            created = epoch(cj.CreationTime)
            insts = client.list_instances(a["jobId"], "cromwell", "", 10).Items
            started = epoch(insts[0].StartTime) if insts else None
            task_log = os.path.join(call_dir, "task.log")
            setup = log_epoch(task_log, r"NOTICE task setup")
            # the plugin's first word of the end: the rc file (since issue #15), or the job's end
            noticed = log_epoch(task_log, r"NOTICE BatchCompute job(?:'s command)? ended")
            done = log_epoch(task_log, r"NOTICE done$")
            try:
                process_end = os.stat(os.path.join(call_dir, "rc")).st_mtime
            except OSError:
                process_end = None
            submits.append(submit)
            processes.append(process)
            ends.append(epoch(cj.EndTime))
            rows.append([rnd, rec["call"].split(".")[-1], str(rec.get("shardIndex", -1)),
                         "%.1f" % overhead if overhead is not None else "nan",
                         ms(submit, created), ms(created, started), ms(started, process),
                         ms(setup, submit), ms(process, process_end), ms(process_end, noticed), ms(noticed, done),
                         ms(setup, done)])
        new_file = not os.path.exists(calls_tsv) or os.path.getsize(calls_tsv) == 0
        with open(calls_tsv, "a") as out:
            if new_file:
                out.write("\t".join(CALL_COLUMNS) + "\n")
            for r in rows:
                out.write("\t".join(r) + "\n")
        n_variants = md.get("outputs", {}).get("germline_small.n_variants", "none")
        print("Finished", rel(epoch(j.EndTime), t0), rel(epoch(j.CreationTime), t0), rel(runner_start, t0),
              rel(iso_epoch(md.get("start")), t0), rel(wf_start, t0), rel(min(submits), t0),
              rel(min(p for p in processes if p is not None), t0), rel(max(ends), t0), rel(wf_done, t0),
              rel(iso_epoch(md.get("end")), t0), n_variants, flush=True)


CALL_COLUMNS = ["round", "call", "shard", "overhead", "submit_to_created", "created_to_instance", "instance_to_process",
                "setup_to_submit", "process", "process_end_to_noticed", "noticed_to_done", "setup_to_done"]
PEER_COLUMNS = ["round", "call", "setup_to_spawn", "spawn_to_done", "setup_to_done"]


def ms(a, b):
    return "%.1f" % ((b - a) * 1000) if a is not None and b is not None else "nan"


def peer(run_dir, t0, calls_tsv, rnd):
    t0 = float(t0)
    wf_start = log_epoch(os.path.join(run_dir, "workflow.log"), WF_START)
    wf_done = log_epoch(os.path.join(run_dir, "workflow.log"), WF_DONE)
    first, rows = None, []
    for name in sorted(os.listdir(run_dir)):
        task_log = os.path.join(run_dir, name, "task.log")
        spawn = log_epoch(task_log, r"NOTICE BareContainer")
        if spawn is None:
            continue
        if first is None or spawn < first:
            first = spawn
        setup, done = log_epoch(task_log, r"NOTICE task setup"), log_epoch(task_log, r"NOTICE done$")
        rows.append([rnd, name, ms(setup, spawn), ms(spawn, done), ms(setup, done)])
    new_file = not os.path.exists(calls_tsv) or os.path.getsize(calls_tsv) == 0
    with open(calls_tsv, "a") as out:
        if new_file:
            out.write("\t".join(PEER_COLUMNS) + "\n")
        for r in rows:
            out.write("\t".join(r) + "\n")
    try:
        with open(os.path.join(run_dir, "outputs.json")) as f:
            n = json.load(f).get("germline_small.n_variants", "none")
    except (OSError, ValueError):
        n = "none"
    print(rel(wf_start, t0), rel(first, t0), rel(wf_done, t0), n)


def percentile(values, p):
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


def stats(calls_tsv):
    """One line per column: NAME COUNT P50 P90 MAX (ms), over every row (call) of the file."""
    with open(calls_tsv) as f:
        header = f.readline().split()
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for i, name in enumerate(header):
        if name in ("round", "call", "shard"):
            continue
        v = [float(r[i]) for r in rows if r[i] != "nan"]
        if v:
            print(name, len(v), "%.1f" % statistics.median(v), "%.1f" % percentile(v, 90), "%.1f" % max(v))
        else:
            print(name, 0, "nan", "nan", "nan")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"watch": watch, "peer": peer, "stats": stats}[cmd](*args)
