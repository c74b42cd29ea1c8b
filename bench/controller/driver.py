"""The controller benchmark (bench/controller.sh): push→Ready of 1,000 resources, peak RSS,
and webhook→apply-start latency, against Flux's published figure for 1,000 Kustomizations.

Usage: driver.py BCCTL WORKDIR [LATENCY_COMMITS]

Round 1 runs `bcctl controller --embedded-engine` (the single-binary default). Round 2 runs
`bcctl engine serve` and `bcctl controller --endpoint` as two processes, to report the
controller's own RSS. Each round: a fresh bare repository whose first commit holds no
manifests; the controller starts on it (interval 60 s, so only webhooks trigger); then the
commit of 1,000 resources is pushed and a signed GitHub webhook sent; then small commits,
each changing one App's description, each pushed and announced by a webhook.

Definitions (all times are wall clock on this host: Python's time.time(), the controller's
and the engine's Date(), so they compare directly):
  push→Ready        from just before `git push` of the 1,000-resource commit to the Ready
                    condition's lastTransitionTime (True, ReconciliationSucceeded) for that
                    revision; the 50 ms poll of /api/status only detects it.
  webhook→started   from just before the webhook POST to the history entry's `started`.
  webhook→apply     from just before the webhook POST to the UpdateTime the engine records
                    for the App's new revision (GET /apps/NAME?Revisions): the PUT that is
                    the apply's first mutating call (the workspace lock taken before the
                    plan is not counted as the apply).
  webhook→Ready     from the webhook POST to the history entry's started + durationSeconds.
  peak RSS          VmHWM of /proc/PID/status at the end of the round (after the small
                    commits too); round 1's process includes the embedded engine.

Every child's pid is appended to WORKDIR/pids (the shell's EXIT trap kills what is left).
"""
import datetime
import hashlib
import hmac
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import estate  # noqa: E402

FLUX_SECONDS = 255.0  # fluxcd v2.2 benchmark, 1,000 Kustomizations: 4m15s
FLUX_MIB = 112.0
# BENCH_SIZE=APPS,CLUSTERS,FILES scales the estate (bench/scale.sh); BENCH_ROUNDS=separate
# runs round 2 only (the controller's own RSS), BENCH_ROUNDS=embedded round 1 only.
APPS, CLUSTERS, FILES = (int(x) for x in os.environ.get("BENCH_SIZE", "750,250,20").split(","))
ROUNDS = os.environ.get("BENCH_ROUNDS", "embedded,separate").split(",")
POLL = 0.05

bcctl, workdir = sys.argv[1], sys.argv[2]
latency_commits = int(sys.argv[3]) if len(sys.argv) > 3 else 20
children = []


def log(*a):
    print(*a, flush=True)


def spawn(args, logfile, env=None):
    out = open(logfile, "w")
    p = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    children.append(p)
    with open(os.path.join(workdir, "pids"), "a") as f:
        f.write(f"{p.pid}\n")
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wire_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def mem(pid):
    """(VmHWM, VmRSS) in MiB from /proc."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.strip()
    return int(fields["VmHWM"].split()[0]) / 1024, int(fields["VmRSS"].split()[0]) / 1024


def percentile(xs, p):
    s = sorted(xs)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


class Repo:
    def __init__(self, root):
        self.origin, self.work = os.path.join(root, "origin.git"), os.path.join(root, "work")
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", self.origin], check=True)
        subprocess.run(["git", "init", "-q", "-b", "main", self.work], check=True)
        self.git("remote", "add", "origin", self.origin)

    def git(self, *args):
        r = subprocess.run(["git", "-C", self.work, "-c", "user.email=bench@bcops", "-c", "user.name=bench", *args],
                           check=True, capture_output=True, text=True)
        return r.stdout.strip()

    def commit(self, message):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "HEAD")

    def push(self):
        self.git("push", "-q", "origin", "main")


class Controller:
    def __init__(self, repo, data, engine_endpoint=None, engine_credentials=None):
        os.makedirs(data, exist_ok=True)
        self.data = data
        self.secret = "s3cret-" + uuid.uuid4().hex[:8]
        with open(os.path.join(data, "webhook-secret"), "w") as f:
            f.write(self.secret)
        args = [bcctl, "controller", "--repo", repo.origin, "--branch", "main", "--path", "estate", "--interval", "60s",
                "--listen", "127.0.0.1:0", "--data", data, "--webhook-secret-file", os.path.join(data, "webhook-secret"),
                # Commits here come ~170 ms apart, faster than any team pushes: measure bcops'
                # latency, not the webhook rate limit's 1 s spacing.
                "--webhook-min-interval", "0s"]
        env = dict(os.environ)
        if engine_endpoint is None:
            args += ["--embedded-engine", "--engine-listen", "127.0.0.1:0"]
        else:
            args += ["--endpoint", engine_endpoint]
            env["BCOPS_ACCESS_KEY_ID"], env["BCOPS_ACCESS_KEY_SECRET"] = engine_credentials
        self.process = spawn(args, os.path.join(data, "controller.log"), env)
        address_file = os.path.join(data, "controller", "address")
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(address_file):
                text = open(address_file).read()
                if text.endswith("\n"):
                    self.address = text.strip()
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise SystemExit("the controller did not start:\n" + open(os.path.join(data, "controller.log")).read())

    def status(self):
        with urllib.request.urlopen(self.address + "/api/status", timeout=10) as r:
            return json.load(r)

    def fetch_seconds(self):
        """bcops_git_fetch_duration_seconds_sum from /metrics: fetches' total time so far."""
        with urllib.request.urlopen(self.address + "/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith("bcops_git_fetch_duration_seconds_sum "):
                    return float(line.split()[1])
        return math.nan

    def webhook(self):
        body = b'{"ref":"refs/heads/main","after":"0"}'
        signature = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(self.address + "/hooks/github", data=body, method="POST", headers={
            "X-GitHub-Event": "push", "X-GitHub-Delivery": str(uuid.uuid4()), "Content-Type": "application/json",
            "X-Hub-Signature-256": "sha256=" + signature})
        with urllib.request.urlopen(request, timeout=10) as r:
            if r.status != 202:
                raise SystemExit(f"webhook answered {r.status}: {r.read()}")

    def wait_ready(self, revision, timeout=120, poll=POLL):
        """Polls every `poll` s (50 ms) until `revision` is applied and Ready; returns (status, time seen, phases seen).

        phases: when `progress` was first seen starting with fetching / planning / applying."""
        phases = {}
        deadline = time.time() + timeout
        while time.time() < deadline:
            s = self.status()
            now = time.time()
            progress = s.get("progress") or ""
            for word in ("fetching", "planning", "applying"):
                if progress.startswith(word) and word not in phases:
                    phases[word] = now
            ready = next((c for c in s["conditions"] if c["type"] == "Ready"), None)
            if s.get("appliedRevision") == revision and ready and ready["status"] == "True" \
                    and ready["reason"] == "ReconciliationSucceeded" and not progress:
                return s, now, phases
            time.sleep(poll)
        raise SystemExit(f"revision {revision[:12]} not Ready within {timeout} s: {json.dumps(self.status())[:2000]}")

    def entry(self, status, revision):
        return next(h for h in status["history"] if h["revision"] == revision and h["result"] == "succeeded")


class EngineClient:
    """The official SDK against an engine: the App's revisions, as the engine records them."""

    def __init__(self, endpoint, key_id, secret):
        from batchcompute import Client
        host, port = endpoint.split("//")[1].rsplit(":", 1)
        Client.register_region("bench-controller", host, int(port))
        self.client = Client(host, key_id, secret)

    def last_revision_time(self, app):
        items = self.client.get_app_revisions(app).Items
        last = max(items, key=lambda r: int(r.Revision))
        t = last.UpdateTime
        if isinstance(t, str):
            return int(last.Revision), wire_time(t)
        return int(last.Revision), t.replace(tzinfo=datetime.timezone.utc).timestamp()

    def counts(self):
        apps = clusters = 0
        marker = ""
        while True:
            page = self.client.list_apps(marker=marker, max_item_count=100)
            apps += len(page.Items)
            marker = page.NextMarker
            if not marker:
                break
        marker = ""
        while True:
            page = self.client.list_clusters(marker=marker, max_item_count=100)
            clusters += len(page.Items)
            marker = page.NextMarker
            if not marker:
                break
        return apps, clusters


def credentials(data):
    c = json.load(open(os.path.join(data, "credentials.json")))
    return c["AccessKeyId"], c["AccessKeySecret"]


def run_round(name, embedded):
    root = os.path.join(workdir, name)
    os.makedirs(root)
    repo = Repo(root)
    os.makedirs(os.path.join(repo.work, "estate"))
    with open(os.path.join(repo.work, "estate", "README.md"), "w") as f:
        f.write("Manifests of the controller benchmark.\n")
    seed = repo.commit("no manifests yet")
    repo.push()

    engine = None
    if embedded:
        controller = Controller(repo, os.path.join(root, "data"))
        endpoint = open(os.path.join(controller.data, "endpoint")).read().strip()
        key = credentials(controller.data)
    else:
        engine_data = os.path.join(root, "engine")
        os.makedirs(engine_data)
        engine_log = os.path.join(engine_data, "engine.log")
        engine = spawn([bcctl, "engine", "serve", "--data", engine_data, "--listen", "127.0.0.1:0"], engine_log)
        endpoint = None
        for _ in range(300):
            text = open(engine_log).read()
            if "listening on http://" in text:
                endpoint = "http://" + text.split("listening on http://")[1].split()[0]
                break
            time.sleep(0.02)
        if endpoint is None:
            raise SystemExit("the engine did not start:\n" + open(engine_log).read())
        key = credentials(engine_data)
        controller = Controller(repo, os.path.join(root, "data"), endpoint, key)
    client = EngineClient(endpoint, *key)
    controller.wait_ready(seed, timeout=30)
    idle = mem(controller.process.pid)

    # The commit of 1,000 resources: push, webhook, poll until Ready for it.
    docs = estate.documents(APPS, CLUSTERS)
    os.remove(os.path.join(repo.work, "estate", "README.md"))
    where = estate.write(os.path.join(repo.work, "estate"), docs, FILES)
    big = repo.commit(f"{APPS} Apps and {CLUSTERS} Clusters")
    pushed = time.time()
    repo.push()
    hook = time.time()
    controller.webhook()
    status, seen, phases = controller.wait_ready(big, timeout=max(120, (APPS + CLUSTERS) / 100))
    entry = controller.entry(status, big)
    ready = next(c for c in status["conditions"] if c["type"] == "Ready")
    ready_at = wire_time(ready["lastTransitionTime"])
    started = wire_time(entry["started"])
    result = {
        "push_ready": ready_at - pushed, "push_ready_polled": seen - pushed, "git_push": hook - pushed,
        "hook_started": started - hook, "reconcile": entry["durationSeconds"], "actions": entry["actions"],
        "trigger": entry["trigger"], "counts": client.counts(),
        "rss_after_big": mem(controller.process.pid), "rss_idle": idle,
    }
    # Phases as /api/status's `progress` showed them (50 ms polling). `planning` is set before
    # the manifests load, but the load runs on the controller's actor, which also answers
    # /api/status, so it shows once the load is done: fetch+load, then lower..plan, then apply.
    if "planning" in phases and "applying" in phases:
        result["phases"] = (phases["planning"] - started, phases["applying"] - phases["planning"], started + entry["durationSeconds"] - phases["applying"])

    # Small commits: one App's description each; webhook sent → reconciliation start / App's
    # new revision recorded by the engine (the apply's first mutating call) / Ready.
    app_names = [n for n, _ in docs if n.startswith("app-")]
    samples = []
    for k in range(1, latency_commits + 1):
        name = app_names[(k * 37) % len(app_names)]
        i = int(name.split("-")[1])
        file = where[name]
        texts = [estate.app(i, k) if n == name else t for n, t in docs if where[n] == file]
        docs = [(n, estate.app(i, k) if n == name else t) for n, t in docs]
        with open(os.path.join(repo.work, "estate", file), "w") as f:
            f.write("---\n".join(texts))
        revision = repo.commit(f"edit {name}")
        repo.push()
        before = client.last_revision_time(name)[0]
        fetched = controller.fetch_seconds()
        sent = time.time()
        controller.webhook()
        status, _, phases = controller.wait_ready(revision, timeout=30, poll=0.01)
        entry = controller.entry(status, revision)
        if not entry["trigger"].startswith("webhook"):
            raise SystemExit(f"revision {revision[:12]} was reconciled by {entry['trigger']}")
        number, modified = client.last_revision_time(name)
        if number != before + 1:
            raise SystemExit(f"{name}: revision {before} → {number}, expected one new revision")
        start = wire_time(entry["started"])
        samples.append({"started": start - sent, "apply": modified - sent, "ready": start + entry["durationSeconds"] - sent,
                        "duration": entry["durationSeconds"], "actions": entry["actions"], "rss": mem(controller.process.pid)[1],
                        "fetch": controller.fetch_seconds() - fetched,
                        "planning_seen": phases.get("planning", math.nan) - start, "applying_seen": phases.get("applying", math.nan) - start})
    result["samples"] = samples
    result["rss_end"] = mem(controller.process.pid)
    if engine:
        result["engine_rss_end"] = mem(engine.pid)
    stop(controller.process)
    if engine:
        stop(engine)
    return result


def ms(x):
    return f"{x * 1000:.0f} ms"


def report(label, r):
    total = APPS + CLUSTERS
    log(f"== {label}")
    log(f"push→Ready {total} resources: {r['push_ready']:.2f} s (Flux {FLUX_SECONDS:.0f} s: {r['push_ready'] / FLUX_SECONDS:.3f}×; target < 30 s)")
    log(f"  git push {r['git_push']:.3f} s, webhook sent → reconciliation started {ms(r['hook_started'])}, "
        f"reconciliation {r['reconcile']:.2f} s ({r['actions']}); Ready seen by polling after {r['push_ready_polled']:.2f} s")
    if "phases" in r:
        f, p, a = r["phases"]
        log(f"  phases (from /api/status progress, ±50 ms): fetch+snapshot+load {f:.2f} s, lower+lock+refresh+plan {p:.2f} s, apply {a:.2f} s")
    log(f"  engine holds {r['counts'][0]} Apps and {r['counts'][1]} Clusters")


def report_latency(r):
    s = r["samples"]
    if not s:
        return
    n = len(s)
    for key, what in (("started", "webhook sent → reconciliation started (history `started`)"),
                      ("apply", "webhook sent → apply start (engine records the App's new revision: the apply's first mutating call)"),
                      ("ready", "webhook sent → reconciliation done, Ready (started + durationSeconds)")):
        xs = [x[key] for x in s]
        log(f"  {what}: p50 {ms(statistics.median(xs))}, p90 {ms(percentile(xs, 90))}, max {ms(max(xs))}")
    planning = [x["planning_seen"] for x in s if not math.isnan(x["planning_seen"])]
    applying = [x["applying_seen"] for x in s if not math.isnan(x["applying_seen"])]
    if planning and applying:
        log(f"  phases, medians (reconciliation start → `progress` seen, polled every 10 ms): fetch+snapshot+load done by {ms(statistics.median(planning))}"
            f" ({len(planning)}/{n} seen), plan done by {ms(statistics.median(applying))} ({len(applying)}/{n} seen);"
            f" git fetch alone (bcops_git_fetch_duration_seconds) {ms(statistics.median([x['fetch'] for x in s]))}")
    rss = [x["rss"] for x in s]
    log(f"  VmRSS after the {APPS + CLUSTERS:,} apply {r['rss_after_big'][1]:.0f} MiB, after commit 1 {rss[0]:.0f} MiB, "
        f"commit {n // 2} {rss[n // 2 - 1]:.0f} MiB, commit {n} {rss[-1]:.0f} MiB")
    p50 = statistics.median([x["apply"] for x in s])
    log(f"webhook→apply-start p50 over {n} commits: {ms(p50)} (target 300 ms: {p50 / 0.3:.2f}×)")


results = {}
try:
    if "embedded" in ROUNDS:
        one = results["embedded"] = run_round("embedded", True)
        report("round 1: bcctl controller --embedded-engine (one process)", one)
        hwm, rss = one["rss_end"]
        log(f"peak RSS {hwm:.0f} MiB, controller and embedded engine in one process (Flux {FLUX_MIB:.0f} MiB: {hwm / FLUX_MIB:.2f}×; target < 100 MiB)"
            f" [VmHWM: started and Ready on an empty estate {one['rss_idle'][0]:.0f} MiB, after the {APPS + CLUSTERS:,} apply {one['rss_after_big'][0]:.0f} MiB;"
            f" VmRSS at the end {rss:.0f} MiB]")
        log(f"-- {len(one['samples'])} commits each changing one App's description, webhook after each push")
        report_latency(one)
    if "separate" in ROUNDS:
        two = results["separate"] = run_round("separate", False)
        report("round 2: bcctl controller --endpoint + bcctl engine serve (two processes)", two)
        hwm, rss = two["rss_end"]
        log(f"peak RSS {hwm:.0f} MiB, controller alone (Flux {FLUX_MIB:.0f} MiB: {hwm / FLUX_MIB:.2f}×; target < 100 MiB)"
            f" [empty estate {two['rss_idle'][0]:.0f} MiB, after the {APPS + CLUSTERS:,} apply {two['rss_after_big'][0]:.0f} MiB]; the engine process: {two['engine_rss_end'][0]:.0f} MiB")
        log(f"-- {len(two['samples'])} commits, as in round 1")
        report_latency(two)
    if os.environ.get("BENCH_CONTROLLER_JSON"):
        json.dump(results, open(os.environ["BENCH_CONTROLLER_JSON"], "w"), indent=1)
finally:
    for p in children:
        if p.poll() is None:
            p.kill()
            p.wait()
