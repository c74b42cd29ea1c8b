"""Start latency of a 1-instance job on an idle cluster, with and without a backlog elsewhere.

Usage: backlog.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET BACKLOG ROUNDS KIND
KIND is `none` (no backlog: the peer), `full` (BACKLOG instances waiting on a full 2-slot
cluster) or `empty` (BACKLOG instances waiting on a 0-node cluster). Prints the median over
ROUNDS of the engine's own record, CreationTime to StartTime of the job, in seconds.
"""
import statistics
import sys
import time

from batchcompute import Client

port, key_id, secret, backlog, rounds, kind = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)


def cluster(name, nodes):
    return client.create_cluster({'Name': name, 'ImageId': 'img-ubuntu',
                                  'Groups': {'g': {'DesiredVMCount': nodes, 'InstanceType': 'ecs.sn1.medium'}}}).Id  # 2 slots a node


def job(name, cluster_id, command, count=1):
    return client.create_job({'Name': name, 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
                              'DAG': {'Tasks': {'t': {'InstanceCount': count, 'ClusterId': cluster_id, 'Timeout': 3600,
                                                      'Parameters': {'Command': {'CommandLine': command, 'PackagePath': ''},
                                                                     'StdoutRedirectPath': '', 'StderrRedirectPath': ''}}},
                                      'Dependencies': {}}}).Id


busy = None
if kind == 'full':
    busy = job('backlog', cluster('busy', 1), 'sleep 3600', backlog)
    while client.get_job(busy).InstanceMetrics.RunningCount < 2:
        time.sleep(0.05)
elif kind == 'empty':
    busy = job('backlog', cluster('empty', 0), 'true', backlog)
idle = cluster('idle', 1)
latencies = []
for i in range(rounds):
    jid = job('probe-%d' % i, idle, 'true')
    while True:
        j = client.get_job(jid)
        if j.State in ('Finished', 'Failed', 'Stopped'):
            break
        time.sleep(0.02)
    if j.State != 'Finished':
        print('probe ended %s: %s' % (j.State, j.Message))
        sys.exit(1)
    latencies.append((j.StartTime - j.CreationTime).total_seconds())
if busy:
    client.stop_job(busy)
print('%.4f' % statistics.median(latencies))
