"""The bcs CLI lists what the engine holds: a cluster and a job made with the SDK.

Usage: bcs_check.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET SCRATCH_HOME
"""
import sys

from batchcompute import Client
from bcs_home import bcs_runner
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

bcs = bcs_runner(port, key_id, secret, home)


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
