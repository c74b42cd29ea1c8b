"""The table of bench/scale.sh (issue #19): reads the JSON its sub-benchmarks wrote.

Usage: scale.py OUTDIR BIN SECONDS SIZE...

OUTDIR holds apply.N.K.json (bench/apply.sh, BENCH_JSON; K the round), plan.N.json
(bench/plan.sh, BENCH_JSON), controller.N.K.json (bench/controller/driver.py,
BENCH_CONTROLLER_JSON, its round `separate`), load.start and load.end. A figure whose benchmark
failed is shown as `-`.

Each figure's "÷ linear" is value_N / (value_base × N / base), base the smallest size: 1.00
is linear, below 1 better than linear. "÷ base" (RSS and the one-commit latency, which
should stay flat) is value_N / value_base.
"""
import json
import os
import statistics
import sys

out, binary, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
sizes = sorted(int(n) for n in sys.argv[4:])
base = sizes[0]


def load_json(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    try:
        return json.load(open(path))
    except ValueError:
        return None


def loads(name):
    path = os.path.join(out, name)
    return open(path).read().split() if os.path.exists(path) else None


figures = {}  # size -> {key: value}
for n in sizes:
    f = {}
    applies = [j for j in (load_json(f"apply.{n}.{k}.json") for k in range(1, 100)) if j]
    if applies:
        f["apply"] = min(j["bcapply_seconds"] for j in applies)
        f["direct"] = min(j["direct_seconds"] for j in applies)
        f["apply_rounds"] = len(applies)
    plan = load_json(f"plan.{n}.json")
    if plan:
        f["plan"], f["validate"] = plan["plan_seconds"], plan["validate_seconds"]
        f["plan_rss"], f["validate_rss"] = plan["plan_rss_kib"] / 1024, plan["validate_rss_kib"] / 1024
        f["plan_rounds"] = plan["rounds"]
        f["plan_exit"] = plan.get("plan_exit", 0)
    # Controller rounds: the best push→Ready (and that round's reconciliation), the highest
    # RSS, the commits of every round together.
    rounds = [j["separate"] for j in (load_json(f"controller.{n}.{k}.json") for k in range(1, 100)) if j and "separate" in j]
    if rounds:
        best = min(rounds, key=lambda c: c["push_ready"])
        f["controller_rounds"] = len(rounds)
        f["push_ready"] = best["push_ready"]
        f["reconcile"] = best["reconcile"]
        f["ctl_rss"] = max(c["rss_end"][0] for c in rounds)
        f["ctl_rss_idle"] = max(c["rss_idle"][0] for c in rounds)
        f["ctl_rss_big"] = max(c["rss_after_big"][0] for c in rounds)
        f["ctl_rss_now"] = max(c["rss_end"][1] for c in rounds)
        if all("engine_rss_end" in c for c in rounds):
            f["eng_rss"] = max(c["engine_rss_end"][0] for c in rounds)
        f["counts"] = best["counts"]
        s = [x for c in rounds for x in c["samples"]]
        if s:
            f["commit"] = statistics.median(x["apply"] for x in s) * 1000
            f["commit_started"] = statistics.median(x["started"] for x in s) * 1000
            f["commit_ready"] = statistics.median(x["ready"] for x in s) * 1000
            f["commits"] = len(s)
    figures[n] = f

# (key, header, format, ratio rows: "lin" and/or "base")
columns = [
    ("apply", "apply s", "{:.2f}", "lin"),
    ("direct", "direct s", "{:.2f}", "lin"),
    ("apply/direct", "×direct", "{:.2f}", ""),
    ("apply_ms", "ms/res", "{:.2f}", ""),
    ("plan", "plan s", "{:.3f}", "lin"),
    ("validate", "valid s", "{:.3f}", "lin"),
    ("plan/validate", "×valid", "{:.2f}", ""),
    ("push_ready", "→Ready s", "{:.2f}", "lin"),
    ("ctl_rss", "ctl MiB", "{:.0f}", "lin,base"),
    ("eng_rss", "eng MiB", "{:.0f}", "lin,base"),
    ("commit", "commit ms", "{:.0f}", "lin,base"),
]
for f in figures.values():
    if "apply" in f:
        f["apply/direct"] = f["apply"] / f["direct"]
    if "plan" in f:
        f["plan/validate"] = f["plan"] / f["validate"]
for n, f in figures.items():
    if "apply" in f:
        f["apply_ms"] = f["apply"] / n * 1000


def cell(key, fmt, n, kind):
    f, b = figures[n], figures[base]
    if kind == "value":
        return fmt.format(f[key]) if key in f else "-"
    if key not in f or key not in b or not b[key]:
        return "-"
    scale = n / base if kind == "lin" else 1
    return f"{f[key] / (b[key] * scale):.2f}"


first = loads("load.start") or ["?"] * 4
last = loads("load.end") or ["?"] * 4
print(f"scaling (#19): {', '.join(f'{n:,}' for n in sizes)} resources; {os.cpu_count()} cores; binaries {binary}")
print(f"load average at the start ({first[0]}): {' '.join(first[1:4])}; at the end ({last[0]}): {' '.join(last[1:4])}; took {seconds // 60} min {seconds % 60} s")
widths = [max(len(h), 7) for _, h, _, _ in columns]
label_width = 11
rows = [["resources"] + [h for _, h, _, _ in columns]]
for n in sizes:
    rows.append([f"{n:,}"] + [cell(k, fmt, n, "value") for k, _, fmt, _ in columns])
    if n == base:
        continue
    rows.append(["÷ linear"] + [cell(k, fmt, n, "lin") if "lin" in r else "" for k, _, fmt, r in columns])
    rows.append([f"÷ {base:,}"] + [cell(k, fmt, n, "base") if "base" in r else "" for k, _, fmt, r in columns])
for r in rows:
    print(r[0].ljust(label_width) + "  ".join(c.rjust(w) for c, w in zip(r[1:], widths)).rstrip())

print("apply: bcapply of N new Apps, -parallelism 10, plan included; direct: the same N creates through the API client,"
      " 10 at a time; ms/res: apply per resource")
print("plan: no-op bcplan of N resources the engine holds (1/2 Apps, 1/2 Clusters); valid: bcplan validate of them")
print("→Ready: git push of N resources (3/4 Apps, 1/4 Clusters, N/50 files) to the controller's Ready; ctl, eng: peak RSS"
      " (VmHWM) of the controller and of the engine (two processes) at the end; commit: webhook→apply-start p50 of one-App commits")
print(f"÷ linear: value / (value at {base:,} × N / {base:,}), 1.00 is linear; ÷ {base:,}: value / value at {base:,}")
print("details:")
for n in sizes:
    f = figures[n]
    parts = []
    if "apply" in f:
        parts.append(f"apply best of {f['apply_rounds']}")
    if "plan" in f:
        parts.append(f"plan best of {f['plan_rounds']}, peak RSS plan {f['plan_rss']:.0f} / validate {f['validate_rss']:.0f} MiB")
        if f["plan_exit"] != 0:
            parts.append(f"WARNING: the plan exited {f['plan_exit']} (2: it had changes), not a no-op")
    if "push_ready" in f:
        parts.append(f"controller best of {f['controller_rounds']}, reconcile {f['reconcile']:.2f} s, engine holds {f['counts'][0]:,} Apps {f['counts'][1]:,} Clusters")
        parts.append(f"controller VmHWM idle {f['ctl_rss_idle']:.0f} / after the apply {f['ctl_rss_big']:.0f} / end {f['ctl_rss']:.0f} MiB, VmRSS end {f['ctl_rss_now']:.0f} MiB")
    if "commit" in f:
        parts.append(f"{f['commits']} commits, p50 webhook→started {f['commit_started']:.0f} ms, →apply {f['commit']:.0f} ms, →Ready {f['commit_ready']:.0f} ms")
    print(f"  {n:,}: " + "; ".join(parts) if parts else f"  {n:,}: no figures (see the errors above)")

if os.environ.get("SCALE_JSON"):
    json.dump({"sizes": sizes, "base": base, "load_start": first, "load_end": last, "seconds": seconds,
               "figures": {str(n): figures[n] for n in sizes}}, open(os.environ["SCALE_JSON"], "w"), indent=1)
