"""The bcs CLI lists what the engine holds: a cluster and a job made with the SDK.

Usage: bcs_check.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET SCRATCH_HOME
"""
import os
import subprocess
import sys

from batchcompute import Client
from batchcompute.resources import ClusterDescription, GroupDescription

port, key_id, secret, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)

cluster = ClusterDescription()
cluster.Name = 'bcs-visible-cluster'
cluster.ImageId = 'img-ubuntu'
group = GroupDescription()
group.DesiredVMCount = 0  # no nodes: the job waits, so its state is known
group.InstanceType = 'ecs.sn1.medium'
cluster.add_group('default', group)
cluster_id = client.create_cluster(cluster).Id
job_id = client.create_job({
    'Name': 'bcs-visible-job', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
    'DAG': {'Tasks': {'task': {'InstanceCount': 2, 'ClusterId': cluster_id,
                               'Parameters': {'Command': {'CommandLine': 'echo hi', 'PackagePath': ''},
                                              'StdoutRedirectPath': 'oss://b/logs/', 'StderrRedirectPath': 'oss://b/logs/'}}},
            'Dependencies': {}}}).Id

os.makedirs(os.path.join(home, '.batchcompute'), exist_ok=True)
with open(os.path.join(home, '.batchcompute', 'cliconfig'), 'w') as f:
    f.write('[common]\nregion = cn-qingdao\naccesskeyid = %s\naccesskeysecret = %s\nssl = false\n'
            'osspath = oss://mybucket/bcscli/\ndefaultimage = img-ubuntu\ndefaulttype = ecs.sn1.medium\n'
            'vpc_cidr_block = 192.168.0.0/16\n' % (key_id, secret))
env = dict(os.environ, HOME=home, BCS_PORT=str(port))
launcher = os.path.join(os.path.dirname(__file__), 'bcs_local.py')


def bcs(*args):
    out = subprocess.run([sys.executable, launcher] + list(args), env=env, capture_output=True, text=True, timeout=120)
    return out.stdout + out.stderr


failed = False
for args, needles in ((['j'], [job_id, 'bcs-visible-job', 'Waiting']),
                      (['c'], [cluster_id, 'bcs-visible-cluster', 'Active']),
                      (['j', job_id], ['bcs-visible-job', 'task'])):
    text = bcs(*args)
    missing = [n for n in needles if n not in text]
    print(('ok   ' if not missing else 'FAIL ') + 'bcs ' + ' '.join(args) + (' missing %s' % missing if missing else ''))
    if missing:
        print(text)
        failed = True
sys.exit(1 if failed else 0)
