"""Time one job of N instances of /bin/true on a 2-slot cluster, through the official SDK.

Usage: dispatch.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET N [COMMAND_LINE]
Prints the seconds from submission to Finished, as the engine recorded them.
"""
import sys
import time

from batchcompute import Client

port, key_id, secret, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
command_line = sys.argv[5] if len(sys.argv) > 5 else '/bin/true'
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)
cluster = client.create_cluster({'Name': 'bench', 'ImageId': 'img-ubuntu',
                                 'Groups': {'g': {'DesiredVMCount': 1, 'InstanceType': 'ecs.sn1.medium'}}}).Id  # 2 vCPUs = 2 slots
start = time.time()
job = client.create_job({'Name': 'dispatch', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
                         'DAG': {'Tasks': {'true': {'InstanceCount': n, 'ClusterId': cluster,
                                                    'Parameters': {'Command': {'CommandLine': command_line, 'PackagePath': ''},
                                                                   'StdoutRedirectPath': '', 'StderrRedirectPath': ''}}},
                                 'Dependencies': {}}}).Id
while True:
    j = client.get_job(job)
    if j.State in ('Finished', 'Failed', 'Stopped'):
        break
    time.sleep(0.1)
# The engine's own record: submission to the end of the last instance (polling adds nothing).
elapsed = (j.EndTime - j.CreationTime).total_seconds()
if j.State != 'Finished' or j.InstanceMetrics.FinishedCount != n:
    print('job ended %s with %d finished' % (j.State, j.InstanceMetrics.FinishedCount))
    sys.exit(1)
print('%.3f' % elapsed)
