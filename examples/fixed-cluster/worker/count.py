# count: one instance per part (BATCH_COMPUTE_DAG_INSTANCE_ID); counts the lines of each log
# level in its part and leaves the counts in SHARED_DIR/<job id>/counts/<instance>.json.
import json
import os

job = os.environ.get("BATCH_COMPUTE_DAG_JOB_ID", "local")
shared = os.path.join(os.environ.get("SHARED_DIR", "/tmp/bcops-log-count"), job)
instance = os.environ.get("BATCH_COMPUTE_DAG_INSTANCE_ID", "0")
levels = ["INFO", "WARN", "ERROR", "DEBUG"]

counts = dict.fromkeys(levels, 0)
with open(os.path.join(shared, "parts", "%s.txt" % instance)) as f:
    for line in f:
        for word in line.split():
            if word in counts:
                counts[word] += 1
                break
os.makedirs(os.path.join(shared, "counts"), exist_ok=True)
with open(os.path.join(shared, "counts", "%s.json" % instance), "w") as out:
    json.dump(counts, out, sort_keys=True)
print("part %s: %s" % (instance, json.dumps(counts, sort_keys=True)))
