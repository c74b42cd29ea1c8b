"""
bench/cromwell.sh's clients: submits N one-call workflows to the Cromwell API (timing each
submit), and waits until a set of workflows or runner jobs has ended, printing when.

    python bench/cromwell.py api URL N WDL TAG  -> "SUBMIT_P50 SUBMIT_P99 SECONDS SUCCEEDED"
    python bench/cromwell.py jobs N PREFIX T0 -> "SECONDS SUCCEEDED" (bcctl jobs -json polled)
"""

import json
import statistics
import subprocess
import sys
import time

import requests


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def api(url, n, wdl, tag):
    source = open(wdl, "rb").read()
    t0 = time.time()
    ids, latencies = [], []
    with requests.Session() as s:
        for i in range(n):
            inputs = json.dumps({"one.echo.message": f"{tag} {i}"})
            start = time.time()
            r = s.post(f"{url}/api/workflows/v1", files={"workflowSource": ("one.wdl", source), "workflowInputs": ("inputs.json", inputs)})
            latencies.append(time.time() - start)
            if r.status_code != 201:
                sys.exit(f"submit {i}: {r.status_code} {r.text}")
            ids.append(r.json()["id"])
        wanted = set(ids)
        while True:
            q = s.get(f"{url}/api/workflows/v1/query", params=[("status", "Succeeded"), ("status", "Failed"), ("status", "Aborted")]).json()
            ended = {r["id"]: r["status"] for r in q["results"] if r["id"] in wanted}
            if len(ended) == n:
                break
            time.sleep(0.2)
    seconds = time.time() - t0
    ok = sum(1 for v in ended.values() if v == "Succeeded")
    print(f"{statistics.median(latencies) * 1000:.1f} {percentile(latencies, 99) * 1000:.1f} {seconds:.2f} {ok}")


def jobs(n, prefix, t0, bcctl):
    while True:
        try:
            out = subprocess.run([bcctl, "jobs", "-json", "-limit", "0"], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as exn:  # a busy engine, a bcctl being rebuilt: ask again
            print(f"bcctl jobs: {exn}", file=sys.stderr)
            time.sleep(1)
            continue
        runs = [j for j in json.loads(out) if j.get("name", "").startswith(prefix)]
        ended = [j for j in runs if j.get("state") in ("Finished", "Failed", "Stopped")]
        if len(runs) >= n and len(ended) == len(runs):
            break
        time.sleep(0.5)
    ok = sum(1 for j in ended if j["state"] == "Finished")
    print(f"{time.time() - t0:.2f} {ok}")


if __name__ == "__main__":
    if sys.argv[1] == "api":
        api(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    else:
        jobs(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5])
