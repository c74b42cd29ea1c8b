# merge: adds up the SPLIT_COUNT counts that count's instances left in SHARED_DIR/<job id>/counts/,
# prints the total (stdout lands in the job's stdoutRedirectPath) and removes the job's parts
# and counts.
import json
import os
import shutil

job = os.environ.get("BATCH_COMPUTE_DAG_JOB_ID", "local")
shared = os.path.join(os.environ.get("SHARED_DIR", "/tmp/bcops-log-count"), job)
count = int(os.environ.get("SPLIT_COUNT", "3"))

total = {}
for i in range(count):
    with open(os.path.join(shared, "counts", "%d.json" % i)) as f:
        for level, n in json.load(f).items():
            total[level] = total.get(level, 0) + n
print("merged %d counts: %s" % (count, json.dumps(total, sort_keys=True)))
shutil.rmtree(shared, ignore_errors=True)
