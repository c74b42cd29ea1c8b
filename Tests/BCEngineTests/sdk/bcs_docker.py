"""`bcs sub --docker IMAGE@oss://…` against the engine: bcs sends the image as EnvVars
(BATCH_COMPUTE_DOCKER_IMAGE, BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH). On a cluster that says
`Runtime: host` the command runs on the host because the cluster says so. Anywhere else:
- with no container runtime (RUNTIME empty), the task fails with NoContainerRuntime, as an App
  with Docker.Image does;
- with one (RUNTIME is what the engine found, podman or docker), the image goes to it and the
  command never runs on the host: the job finishes in the image, or fails with the runtime's own
  error naming the image (no registry serves localhost:5000 unless the host runs one; the engine
  does not serve BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH), never with NoContainerRuntime.

Usage: bcs_docker.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET SCRATCH_HOME DATA_DIR HOST_CLUSTER CONTAINER_CLUSTER [RUNTIME]
"""
import os
import re
import sys
import time

from batchcompute import Client
from bcs_home import bcs_runner

port, key_id, secret, home, data_dir, host_cluster, container_cluster = sys.argv[1:8]
runtime = sys.argv[8] if len(sys.argv) > 8 else ''
Client.register_region('local', '127.0.0.1', int(port))
client = Client('127.0.0.1', key_id, secret)
bcs = bcs_runner(int(port), key_id, secret, home)
failed = False


def check(what, condition, detail=''):
    global failed
    print(('ok   ' if condition else 'FAIL ') + what)
    if not condition:
        print(detail)
        failed = True


def submit(cluster, marker, command=None):
    out = bcs('sub', command or 'sh -c "echo %s; id -u"' % marker, 'docker-%s' % marker, '-c', cluster,
              '--docker', 'myubuntu@oss://mybucket/dockers/')
    found = re.search(r'job-[0-9A-F]{32}', out)
    check('bcs sub --docker on %s submits a job' % cluster, found is not None, out)
    return found.group(0) if found else None


def wait(job_id):
    deadline = time.time() + 60
    while time.time() < deadline:
        job = client.get_job(job_id)
        if job.State in ('Finished', 'Failed', 'Stopped'):
            return job
        time.sleep(0.1)
    return client.get_job(job_id)


job_id = submit(host_cluster, 'on-host')
if job_id:
    desc = client.get_job_description(job_id)
    env = desc.DAG.Tasks['task'].Parameters.Command.EnvVars
    check('bcs put the image in the task EnvVars (%s)' % env,
          env.get('BATCH_COMPUTE_DOCKER_IMAGE') == 'localhost:5000/myubuntu'
          and env.get('BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH') == 'oss://mybucket/dockers/')
    job = wait(job_id)
    check('on a Runtime: host cluster the job Finished (%s %s)' % (job.State, job.Message), job.State == 'Finished')
    log = bcs('log', job_id)
    check('bcs log shows its output', 'on-host' in log, log)

# A file the command makes at a host path that no container sees: it exists only if the
# command ran on the host.
on_host = os.path.join(home, 'ran-on-the-host')
job_id = submit(container_cluster, 'in-container', 'sh -c "touch %s 2>/dev/null; echo in-container"' % on_host)
if job_id:
    job = wait(job_id)
    instance = client.list_instances(job_id, 'task', 0, 10).Items[0]
    if not runtime:
        check('on a container cluster without a runtime the job Failed, never on the host (%s: %s)' % (job.State, instance.Result.ErrorMessage),
              job.State == 'Failed' and instance.Result.ErrorCode == 'NoContainerRuntime'
              and 'localhost:5000/myubuntu' in instance.Result.ErrorMessage and not os.path.exists(on_host))
    else:
        log = bcs('log', job_id)
        check('on a container cluster with the runtime %s the command never ran on the host' % runtime,
              job.State in ('Finished', 'Failed') and not os.path.exists(on_host), '%s %s' % (job.State, log))
        check('it went through %s: Finished in the image, or Failed with the runtime\'s error naming the image, '
              'not NoContainerRuntime (%s: %s %s)' % (runtime, job.State, instance.Result.ErrorCode, instance.Result.ErrorMessage),
              instance.Result.ErrorCode != 'NoContainerRuntime'
              and ((job.State == 'Finished' and 'in-container' in log)
                   or (job.State == 'Failed' and instance.Result.ErrorCode == 'NonZeroExitCode' and 'localhost:5000/myubuntu' in log)),
              log)
sys.exit(1 if failed else 0)
