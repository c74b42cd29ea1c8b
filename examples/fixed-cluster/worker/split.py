# split: cut the log in this package into SPLIT_COUNT parts for count's instances
# (line k goes to part k mod SPLIT_COUNT) and leave them in SHARED_DIR/<job id>/parts/.
import os

job = os.environ.get("BATCH_COMPUTE_DAG_JOB_ID", "local")
shared = os.path.join(os.environ.get("SHARED_DIR", "/tmp/bcops-log-count"), job)
count = int(os.environ.get("SPLIT_COUNT", "3"))
source = os.environ.get("INPUT", "log-count.txt")

with open(source) as f:
    lines = f.readlines()
os.makedirs(os.path.join(shared, "parts"), exist_ok=True)
for i in range(count):
    part = lines[i::count]
    with open(os.path.join(shared, "parts", "%d.txt" % i), "w") as out:
        out.writelines(part)
    print("part %d: %d lines" % (i, len(part)))
print("split %s (%d lines) into %d parts in %s/parts" % (source, len(lines), count, shared))
