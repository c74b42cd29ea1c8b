"""bcs log and bcs o against the engine: a finished job's stdout, stderr and LogMapping file
are printed by `bcs log`, and the object store is listed, read, written and emptied by `bcs o`.

Usage: bcs_logs.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET SCRATCH_HOME
"""
import os
import sys
import time

from batchcompute import Client
from bcs_home import bcs_runner
from batchcompute.resources import ClusterDescription, GroupDescription

port, key_id, secret, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)

cluster = ClusterDescription()
cluster.Name = 'logs'
cluster.ImageId = 'img-ubuntu'
group = GroupDescription()
group.DesiredVMCount = 1
group.InstanceType = 'ecs.sn1.medium'
cluster.add_group('default', group)
cluster_id = client.create_cluster(cluster).Id
logs = 'oss://mybucket/bcscli/run1/logs/'
job_id = client.create_job({
    'Name': 'logs-job', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
    'DAG': {'Tasks': {'count': {
        'InstanceCount': 2, 'ClusterId': cluster_id, 'MaxRetryCount': 0, 'Timeout': 60,
        'LogMapping': {'app.log': 'oss://mybucket/bcscli/run1/applogs/'},
        'Parameters': {'Command': {'CommandLine': 'sh -c "echo out-$BATCH_COMPUTE_DAG_INSTANCE_ID; '
                                                  'echo err-$BATCH_COMPUTE_DAG_INSTANCE_ID >&2; '
                                                  'echo applog-$BATCH_COMPUTE_DAG_INSTANCE_ID > app.log"',
                                   'PackagePath': ''},
                       'StdoutRedirectPath': logs, 'StderrRedirectPath': logs}}},
            'Dependencies': {}}}).Id
deadline = time.time() + 60
while client.get_job(job_id).State not in ('Finished', 'Failed') and time.time() < deadline:
    time.sleep(0.2)
state = client.get_job(job_id).State

bcs = bcs_runner(port, key_id, secret, home)


failed = state != 'Finished'
print(('ok   ' if not failed else 'FAIL ') + 'job ' + state)
local = os.path.join(home, 'upload.txt')
with open(local, 'w') as f:
    f.write('uploaded by bcs\n')
download = os.path.join(home, 'download.txt')
checks = (
    (['log', job_id], ['Stdout', 'Stderr', 'out-0', 'out-1', 'err-0', 'err-1', 'applog-0', 'applog-1',
                       logs + 'stdout.%s.count.0' % job_id,
                       'oss://mybucket/bcscli/run1/applogs/app.log.%s.count.1' % job_id], ['Traceback']),
    (['log', job_id, 'count', '1', '-e'], ['err-1'], ['out-1', 'err-0', 'Traceback']),
    (['o', 'ls', 'oss://mybucket/bcscli/run1/'], ['applogs/', 'logs/'], ['Traceback']),
    (['o', 'ls', logs], ['stdout.%s.count.0' % job_id, 'stderr.%s.count.1' % job_id], ['Traceback']),
    (['o', 'cat', logs + 'stdout.%s.count.1' % job_id], ['out-1'], ['Traceback']),
    (['o', 'up', local, 'oss://mybucket/bcscli/up/upload.txt'], [], ['Traceback']),
    (['o', 'cat', 'oss://mybucket/bcscli/up/upload.txt'], ['uploaded by bcs'], ['Traceback']),
    (['o', 'down', 'oss://mybucket/bcscli/up/upload.txt', download], [], ['Traceback']),
    (['o', 'del', 'oss://mybucket/bcscli/up/', '-y'], [], ['Traceback']),
    (['o', 'ls', 'oss://mybucket/bcscli/'], ['run1/'], ['up/', 'Traceback']),
)
for args, needles, forbidden in checks:
    text = bcs(*args)
    missing = [n for n in needles if n not in text]
    present = [n for n in forbidden if n in text]
    ok = not missing and not present
    print(('ok   ' if ok else 'FAIL ') + 'bcs ' + ' '.join(args) + ('' if ok else ' missing %s, unexpected %s' % (missing, present)))
    if not ok:
        print(text)
        failed = True
downloaded = open(download).read() if os.path.exists(download) else ''
print(('ok   ' if downloaded == 'uploaded by bcs\n' else 'FAIL ') + 'downloaded %r' % downloaded)
failed = failed or downloaded != 'uploaded by bcs\n'

# The oss2 client directly: a wrong secret and a key escaping the store are refused in OSS's shape.
import oss2  # noqa: E402
endpoint = 'http://127.0.0.1:%d' % port
try:
    oss2.Bucket(oss2.Auth(key_id, 'wrong-secret'), endpoint, 'mybucket').get_object('bcscli/x')
    print('FAIL wrong secret accepted')
    failed = True
except oss2.exceptions.ServerError as e:
    ok = e.status == 403 and e.code == 'SignatureDoesNotMatch' and e.request_id
    print(('ok   ' if ok else 'FAIL ') + 'wrong secret -> %s %s' % (e.status, e.code))
    failed = failed or not ok
bucket = oss2.Bucket(oss2.Auth(key_id, secret), endpoint, 'mybucket')
try:
    bucket.put_object('bcscli/../../escaped.txt', b'no')
    print('FAIL ../ key accepted')
    failed = True
except oss2.exceptions.ServerError as e:
    ok = e.status == 400 and e.code == 'InvalidObjectName'
    print(('ok   ' if ok else 'FAIL ') + '../ key -> %s %s' % (e.status, e.code))
    failed = failed or not ok
print(('FAIL ' if bucket.object_exists('escaped.txt') else 'ok   ') + 'nothing written outside the key space')
sys.exit(1 if failed else 0)
