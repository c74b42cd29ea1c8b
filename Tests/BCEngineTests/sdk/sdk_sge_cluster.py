"""Jobs on an SGE cluster and on a plain cluster, through the official batchcompute SDK 2.1.7.

Usage: sdk_sge_cluster.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET SGE_CLUSTER_ID
Creates a plain cluster (1 node), then a DAG job on the SGE cluster (task a: 2 instances, then
task b: 1 instance, each printing `hostname`) and a job on the plain cluster (the same), and
prints `sge=<job id>` and `plain=<job id>`; the caller waits for them and checks where they ran.
"""
import sys

from batchcompute import Client
from batchcompute.resources import ClusterDescription, GroupDescription

port, key_id, secret, sge_cluster = sys.argv[1:5]
Client.register_region('local', '127.0.0.1', int(port))
client = Client('127.0.0.1', key_id, secret)


def task(cluster_id, count):
    return {'InstanceCount': count, 'ClusterId': cluster_id, 'MaxRetryCount': 0, 'Timeout': 300,
            'Parameters': {'Command': {'CommandLine': 'hostname; echo instance $BATCH_COMPUTE_DAG_INSTANCE_ID', 'PackagePath': ''},
                           'StdoutRedirectPath': 'oss://b/logs/', 'StderrRedirectPath': 'oss://b/logs/'}}


c = ClusterDescription()
c.Name = 'plain'
c.ImageId = 'img-ubuntu'
g = GroupDescription()
g.DesiredVMCount = 1
g.InstanceType = 'ecs.sn1.medium'
c.add_group('group1', g)
plain_cluster = client.create_cluster(c).Id

sge = client.create_job({'Name': 'on-sge', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
                         'DAG': {'Tasks': {'a': task(sge_cluster, 2), 'b': task(sge_cluster, 1)},
                                 'Dependencies': {'a': ['b']}}}).Id
plain = client.create_job({'Name': 'on-plain', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
                           'DAG': {'Tasks': {'a': task(plain_cluster, 1)}, 'Dependencies': {}}}).Id
print('sge=' + sge)
print('plain=' + plain)
