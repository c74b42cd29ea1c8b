"""Drive the engine with the official batchcompute SDK 2.1.7, unmodified.

Usage: sdk_roundtrip.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET DATA_DIR
Prints one line per check and exits non-zero at the first failure. DATA_DIR is the
engine's data directory, whose oss/ folder holds the object store.
"""
import os
import sys
import time

from batchcompute import Client, ClientError
from batchcompute.resources import ClusterDescription, GroupDescription, JobDescription, TaskDescription, DAG

port, key_id, secret, data_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)


def check(what, condition):
    print(('ok   ' if condition else 'FAIL ') + what)
    if not condition:
        sys.exit(1)


# Clusters: create with no nodes (so jobs wait), read, list.
cluster = ClusterDescription()
cluster.Name = 'sdk-cluster'
cluster.ImageId = 'img-ubuntu'
cluster.Description = 'created by the SDK test'
group = GroupDescription()
group.DesiredVMCount = 0
group.InstanceType = 'ecs.sn1.medium'
group.ResourceType = 'OnDemand'
cluster.add_group('group1', group)
cluster_id = client.create_cluster(cluster).Id
check('create_cluster returns a cls- id: %s' % cluster_id, cluster_id.startswith('cls-') and len(cluster_id) == 26)
got = client.get_cluster(cluster_id)
check('get_cluster reads the name and group', got.Name == 'sdk-cluster' and got.Groups['group1'].DesiredVMCount == 0)
check('list_clusters finds it', any(c.Id == cluster_id for c in client.list_clusters('', 50).Items))

# Apps: create, modify (a new revision), read revisions.
app = {'Name': 'sdk-app', 'Daemonize': False, 'CommandLine': 'python test.py ${in}',
       'Docker': {'Image': 'localhost:5000/demo:0.1', 'RegistryOSSPath': 'oss://demo-bucket/dockers/'},
       'InputParameters': {'in': {'Type': 'String', 'Default': 'x', 'LocalPath': '', 'Description': ''}}}
check('create_app returns the name', client.create_app(app).Name == 'sdk-app')
app['Docker']['Image'] = 'localhost:5000/demo:0.2'
client.modify_app('sdk-app', app)
check('modify_app stores the new tag', client.get_app('sdk-app').Docker.Image == 'localhost:5000/demo:0.2')
check('two revisions', len(client.get_app_revisions('sdk-app').Items) == 2)

# A DAG job: two tasks, InstanceCount 4, a dependency.
job = JobDescription()
job.Name = 'sdk-dag'
job.Priority = 10
job.JobFailOnInstanceFail = True
dag = DAG()
for name, count in (('split', 1), ('count', 4)):
    task = TaskDescription()
    task.ClusterId = cluster_id
    task.InstanceCount = count
    task.Parameters.Command.CommandLine = 'echo %s instance $BATCH_COMPUTE_DAG_INSTANCE_ID of $BATCH_COMPUTE_DAG_INSTANCE_COUNT' % name
    task.Parameters.Command.PackagePath = ''
    task.Parameters.StdoutRedirectPath = 'oss://bucket/logs/'
    task.Parameters.StderrRedirectPath = 'oss://bucket/logs/'
    dag.add_task(name, task)
dag.Dependencies = {'split': ['count']}
job.DAG = dag
job_id = client.create_job(job).Id
check('create_job returns a job- id: %s' % job_id, job_id.startswith('job-') and len(job_id) == 36)
got = client.get_job(job_id)
check('new job waits for capacity with 5 waiting instances', got.State == 'Waiting' and got.InstanceMetrics.WaitingCount == 5)
tasks = client.list_tasks(job_id, '', 50).Items
check('two tasks', sorted(t.TaskName for t in tasks) == ['count', 'split'])
instances = client.list_instances(job_id, 'count', 0, 50).Items
check('instances 0..3', [i.InstanceId for i in instances] == [0, 1, 2, 3])
check('stdout path names the instance',
      instances[2].StdoutRedirectPath == 'oss://bucket/logs/stdout.%s.count.2' % job_id)
check('get_job_description returns what was sent', client.get_job_description(job_id).Name == 'sdk-dag')

# Stop, change priority, start, stop, delete.
client.stop_job(job_id)
check('stop_job', client.get_job(job_id).State == 'Stopped')
client.change_job_priority(job_id, 99)
check('change priority while stopped', client.get_job(job_id).Priority == 99)
client.start_job(job_id)
check('start_job', client.get_job(job_id).State == 'Waiting')
try:
    client.delete_job(job_id)
    check('deleting a waiting job fails', False)
except ClientError as e:
    check('deleting a waiting job fails with StateConflict', e.get_status_code() == 409 and e.get_code() == 'StateConflict')

# Give the cluster nodes: the job runs, split first, then the four count instances.
client.change_cluster_desired_vm_count(cluster_id, group1=2)
check('resize to 2 nodes', client.get_cluster(cluster_id).Groups['group1'].DesiredVMCount == 2)
deadline = time.time() + 60
while client.get_job(job_id).State not in ('Finished', 'Failed', 'Stopped') and time.time() < deadline:
    time.sleep(0.2)
got = client.get_job(job_id)
check('job Finished with 5 finished instances (%s)' % got.State, got.State == 'Finished' and got.InstanceMetrics.FinishedCount == 5)
for i in client.list_instances(job_id, 'count', 0, 50).Items:
    local = os.path.join(data_dir, 'oss', i.StdoutRedirectPath[len('oss://'):])
    text = open(local).read().strip()
    check('stdout of instance %d from OSS: %r' % (i.InstanceId, text), text == 'count instance %d of 4' % i.InstanceId)

client.delete_job(job_id)
try:
    client.get_job(job_id)
    check('deleted job is gone', False)
except ClientError as e:
    check('deleted job is gone (404 InvalidResource.NotFound, request id %s)' % e.get_requestid(),
          e.get_status_code() == 404 and e.get_code() == 'InvalidResource.NotFound' and e.get_requestid())

# Quotas and available types.
check('quotas list instance types', 'ecs.sn1.medium' in client.get_quotas().AvailableClusterInstanceType)

# A wrong secret is refused with BatchCompute's error shape.
bad = Client('127.0.0.1', key_id, secret + 'x')
try:
    bad.list_jobs('', 10)
    check('wrong secret refused', False)
except ClientError as e:
    check('wrong secret refused (%s)' % e.get_code(), e.get_status_code() == 403 and e.get_code() == 'SignatureDoesNotMatch')

client.delete_cluster(cluster_id)
check('delete_cluster', not any(c.Id == cluster_id for c in client.list_clusters('', 50).Items))
print('all SDK checks passed')
