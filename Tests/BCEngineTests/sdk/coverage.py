"""Every SDK method and `bcs` verb that docs/commands/engine.md ("Coverage of the official
clients") marks "works" or "works with a difference", run against the engine the way a user
runs it, each checked for its essential outcome.

Usage: coverage.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET SCRATCH DATA_DIR [BCCTL [RUNTIME]]
SCRATCH is an empty directory: the bcs HOME and the working directory of the bcs commands
(bcs sub -p, gen, p and qsub write files there). With BCCTL (the bcctl binary), `bcctl oss`
is checked against `bcs o` too. RUNTIME is the container runtime the engine finds (podman or
docker; empty or absent for none): `bcs sub --docker` off a `Runtime: host` cluster fails with
NoContainerRuntime without one, and goes through it (never the host) with one. Prints `ok   <name>` or `FAIL <name> …` per
check and exits 1 if any check failed.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback

from batchcompute import Client, ClientError
from batchcompute.resources import (DAG, ClusterDescription, GroupDescription, JobDescription,
                                    ModifyClusterDescription, ModifyGroupDescription, TaskDescription)

port, key_id, secret, scratch, data_dir = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
bcctl = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None
runtime = sys.argv[7] if len(sys.argv) > 7 else ''
os.makedirs(scratch, exist_ok=True)
os.chdir(scratch)
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)
LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'bcs_local.py')
failures = []


def redact(text):
    return str(text).replace(secret, '<secret>')


def check(name, condition, detail=''):
    print(('ok   ' if condition else 'FAIL ') + name + ('' if condition or not detail else '\n' + redact(detail)))
    sys.stdout.flush()
    if not condition:
        failures.append(name)
    return condition


def step(name, fn):
    """Runs fn; an exception is a FAIL of that name."""
    try:
        return fn()
    except Exception:
        check(name, False, traceback.format_exc())


def home(name, config=True):
    path = os.path.join(scratch, name)
    os.makedirs(os.path.join(path, '.batchcompute'), exist_ok=True)
    if config:
        with open(os.path.join(path, '.batchcompute', 'cliconfig'), 'w') as f:
            f.write('[common]\nregion = cn-qingdao\naccesskeyid = %s\naccesskeysecret = %s\nssl = false\n'
                    'osspath = oss://mybucket/bcscli/\ndefaultimage = img-ubuntu\ndefaulttype = ecs.sn1.medium\n'
                    'vpc_cidr_block = 192.168.0.0/16\n' % (key_id, secret))
    return path


def runner(home_dir):
    env = dict(os.environ, HOME=home_dir, BCS_PORT=str(port))

    def bcs(*args, cwd=None):
        out = subprocess.run([sys.executable, LAUNCHER] + list(args), env=env, capture_output=True, text=True,
                             timeout=120, cwd=cwd or scratch)
        return out.stdout + out.stderr
    return bcs


bcs = runner(home('home'))


def expect(name, args, needles=(), forbidden=(), cwd=None):
    """`bcs ARGS…`: every needle printed, no forbidden text, no traceback or ERROR."""
    text = bcs(*args, cwd=cwd)
    missing = [n for n in needles if n not in text]
    present = [n for n in list(forbidden) + ['Traceback', 'ERROR'] if n in text]
    check(name, not missing and not present, 'bcs %s\nmissing %s, unexpected %s\n%s' % (' '.join(args), missing, present, text))
    return text


def created(text, kind='job'):
    found = re.search(r'%s-[0-9A-Za-z]+' % {'job': 'job', 'cluster': 'cls', 'image': 'img'}[kind], text)
    return found.group(0) if found else None


def wait(job_id, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        state = client.get_job(job_id).State
        if state in ('Finished', 'Failed', 'Stopped'):
            return state
        time.sleep(0.1)
    return client.get_job(job_id).State


def wait_state(job_id, states, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline and client.get_job(job_id).State not in states:
        time.sleep(0.1)
    return client.get_job(job_id).State


def obj(oss_path):
    """An object of the engine's store, read with oss2 as bcs does."""
    import oss2
    bucket, key = oss_path[len('oss://'):].split('/', 1)
    b = oss2.Bucket(oss2.Auth(key_id, secret), 'http://127.0.0.1:%d' % port, bucket)
    return b.get_object(key).read().decode() if b.object_exists(key) else None


def log_of(text, job_id, task='task', n=0):
    m = re.search(r'(oss://\S+/)stdout\.%s\.%s\.%d' % (job_id, task, n), text)
    return obj(m.group(0)) if m else None


def cluster_desc(name, nodes=2, group='group1', **fields):
    c = ClusterDescription()
    c.Name = name
    c.ImageId = 'img-ubuntu'
    g = GroupDescription()
    g.DesiredVMCount = nodes
    g.InstanceType = 'ecs.sn1.medium'
    c.add_group(group, g)
    for k, v in fields.items():
        setattr(c, k, v)
    return c


def dag_job(name, cluster_id, command, count=1, fail_on_instance=True, timeout=60):
    t = TaskDescription()
    t.Parameters.Command.CommandLine = command
    t.Parameters.Command.PackagePath = ''
    t.Parameters.StdoutRedirectPath = 'oss://mybucket/sdk/logs/'
    t.Parameters.StderrRedirectPath = 'oss://mybucket/sdk/logs/'
    t.InstanceCount = count
    t.ClusterId = cluster_id
    t.MaxRetryCount = 0
    t.Timeout = timeout
    d = DAG()
    d.add_task(task_name='Map', task=t)
    j = JobDescription()
    j.DAG = d
    j.Priority = 5
    j.Name = name
    j.JobFailOnInstanceFail = fail_on_instance
    return j


def status_of(call):
    try:
        call()
        return 200
    except ClientError as e:
        return e.get_status_code()


# ---------------------------------------------------------------- SDK: service, images
def sdk_service():
    check('sdk register_region / get_regions', client.get_regions().get('local') == '127.0.0.1')
    client.set_version('2015-11-11')
    check('sdk get_version / set_version', client.get_version() == '2015-11-11' and client.version == '2015-11-11')
    q = client.get_quotas()
    check('sdk get_quotas', 'ecs.sn1.medium' in q.AvailableClusterInstanceType and 'cloud_efficiency' in q.AvailableClusterInstanceSystemDiskType)
    a = client.get_available_resource()
    medium = [t for t in a.AvailableClusterInstanceType if t['InstanceType'] == 'ecs.sn1.medium']
    check('sdk get_available_resource', medium and medium[0]['CpuCore'] == 2 and 'OnDemand' in a.AvailableResourceType)


def sdk_images():
    system = [i.Id for i in client.list_images('', 100, 'System').Items]
    check('sdk list_images (Type=System)', 'img-ubuntu' in system and 'img-sge' in system, system)
    desc = {'Name': 'cov-image', 'Description': 'coverage', 'EcsImageId': 'm-covimage0001', 'Platform': 'Linux'}
    image_id = client.create_image(desc, 'cov-image-token').Id
    again = client.create_image(desc, 'cov-image-token').Id
    check('sdk create_image (%s, same IdempotentToken -> same id)' % image_id, image_id.startswith('img-') and again == image_id)
    got = client.get_image(image_id)
    check('sdk get_image', got.EcsImageId == 'm-covimage0001' and got.Platform == 'Linux' and got.Name == 'cov-image')
    check('sdk list_images (own)', image_id in [i.Id for i in client.list_images('', 100).Items])
    check('sdk easy_list images', image_id in [i.Id for i in client.easy_list('images', Name='cov-image')])
    client.delete_image(image_id)
    check('sdk delete_image', status_of(lambda: client.get_image(image_id)) == 404)


# ---------------------------------------------------------------- SDK: clusters
def sdk_clusters():
    cid = client.create_cluster(cluster_desc('cov-sdk', nodes=2), 'cov-cluster-token').Id
    again = client.create_cluster(cluster_desc('cov-sdk', nodes=2), 'cov-cluster-token').Id
    check('sdk create_cluster (%s, same IdempotentToken -> same id)' % cid, cid.startswith('cls-') and again == cid)
    got = client.get_cluster(cid)
    check('sdk get_cluster', got.Name == 'cov-sdk' and got.Groups['group1'].DesiredVMCount == 2 and got.State == 'Active')
    pages, marker = [], ''
    for _ in range(100):
        page = client.list_clusters(marker, 1)
        pages += [c.Id for c in page.Items]
        marker = page.NextMarker
        if not marker:
            break
    check('sdk list_clusters (paged by 1)', cid in pages and len(pages) == len(set(pages)), pages)
    check('sdk easy_list clusters', [c.Id for c in client.easy_list('clusters', Name='cov-sdk')] == [cid])

    m = ModifyClusterDescription()
    g = ModifyGroupDescription()
    g.DesiredVMCount = 3
    m.add_group('group1', g)
    m.EnvVars = {'COV': 'modified'}
    client.modify_cluster(cid, m)
    got = client.get_cluster(cid)
    check('sdk modify_cluster', got.Groups['group1'].DesiredVMCount == 3 and got.EnvVars == {'COV': 'modified'})
    client.change_cluster_desired_vm_count(cid, group1=2)
    check('sdk change_cluster_desired_vm_count', client.get_cluster(cid).Groups['group1'].DesiredVMCount == 2)
    client.change_cluster_spot_config(cid, 'group1', 'SpotWithPriceLimit', 0.5)
    g1 = client.get_cluster(cid).Groups['group1']
    check('sdk change_cluster_spot_config', g1.SpotStrategy == 'SpotWithPriceLimit' and g1.SpotPriceLimit == 0.5)
    client.change_cluster_user_data(cid, {'k': 'v'})
    check('sdk change_cluster_user_data', client.get_cluster(cid).UserData == {'k': 'v'})
    client.change_cluster_input_mapping(cid, {'oss://mybucket/ref/': '/home/ref/'})
    check('sdk change_cluster_input_mapping', client.get_cluster(cid).InputMapping == {'oss://mybucket/ref/': '/home/ref/'})
    client.change_cluster_env_vars(cid, {'COV_ENV': 'from-cluster'})
    check('sdk change_cluster_env_vars', client.get_cluster(cid).EnvVars == {'COV_ENV': 'from-cluster'})

    deadline = time.time() + 20
    while time.time() < deadline and client.get_cluster(cid).Groups['group1'].ActualVMCount != 2:
        time.sleep(0.1)
    vms, marker = [], ''
    for _ in range(10):
        page = client.list_cluster_instances(cid, 'group1', marker, 1)
        check('sdk list_cluster_instances MaxItemCount=1 -> %d item' % len(page.Items), len(page.Items) <= 1)
        vms += [i.Id for i in page.Items]
        marker = page.NextMarker
        if not marker:
            break
    check('sdk list_cluster_instances (paged) lists the 2 VMs %s' % vms, len(vms) == 2 and len(set(vms)) == 2)
    vm = client.get_cluster_instance(cid, 'group1', vms[0])
    check('sdk get_cluster_instance', vm.Id == vms[0] and vm.State in ('Running', 'Starting'))
    client.recreate_cluster_instance(cid, 'group1', vms[0])
    now = [i.Id for i in client.list_cluster_instances(cid, 'group1', '', 100).Items]
    check('sdk recreate_cluster_instance (%s -> %s)' % (vms, now), vms[0] not in now and len(now) == 2)
    client.delete_cluster_instance(cid, 'group1', vms[1])
    now = [i.Id for i in client.list_cluster_instances(cid, 'group1', '', 100).Items]
    check('sdk delete_cluster_instance', vms[1] not in now and client.get_cluster(cid).Groups['group1'].DesiredVMCount == 1)
    return cid


# ---------------------------------------------------------------- SDK: jobs
def sdk_jobs(cid):
    command = "sh -c 'echo sdk-$BATCH_COMPUTE_DAG_INSTANCE_ID-$COV_ENV; [ $BATCH_COMPUTE_DAG_INSTANCE_ID != 2 ]'"
    jid = client.create_job(dag_job('cov-sdk-job', cid, command, count=3, fail_on_instance=False), 'cov-job-token').Id
    again = client.create_job(dag_job('cov-sdk-job', cid, command, count=3, fail_on_instance=False), 'cov-job-token').Id
    check('sdk create_job (DAG, %s; same IdempotentToken -> same id)' % jid, jid.startswith('job-') and again == jid)
    errors = client.poll(jid, timeout=60, interval=0.2)
    check('sdk poll', errors == [] and client.get_job(jid).State == 'Finished', errors)
    job = client.get_job(jid)
    check('sdk get_job', job.Name == 'cov-sdk-job' and job.Priority == 5 and job.InstanceMetrics.FinishedCount == 2
          and job.InstanceMetrics.FailedCount == 1)
    desc = client.get_job_description(jid)
    check('sdk get_job_description', desc.Name == 'cov-sdk-job' and desc.DAG.Tasks['Map'].InstanceCount == 3
          and desc.DAG.Tasks['Map'].ClusterId == cid)
    check('sdk list_jobs', jid in [j.Id for j in client.list_jobs('', 100).Items])
    check('sdk list_jobs (State, ClusterId)', jid in [j.Id for j in client.list_jobs('', 100, 'Finished', cid).Items]
          and jid not in [j.Id for j in client.list_jobs('', 100, 'Failed').Items])
    check('sdk easy_list jobs', [j.Id for j in client.easy_list('jobs', Name='cov-sdk-job')] == [jid])
    task = client.get_task(jid, 'Map')
    check('sdk get_task', task.TaskName == 'Map' and task.InstanceMetrics.FailedCount == 1)
    check('sdk list_tasks', [t.TaskName for t in client.list_tasks(jid, '', 10).Items] == ['Map'])
    check('sdk easy_list tasks', [t.TaskName for t in client.easy_list('tasks', jid)] == ['Map'])
    inst = client.get_instance(jid, 'Map', 1)
    out = obj(inst.StdoutRedirectPath) if inst.StdoutRedirectPath else None
    check('sdk get_instance (stdout %r)' % out, inst.State == 'Finished' and out == 'sdk-1-from-cluster\n')
    check('sdk list_instances (State=Failed)', [i.InstanceId for i in client.list_instances(jid, 'Map', '', 10, 'Failed').Items] == [2])
    check('sdk easy_list instances', [i.InstanceId for i in client.easy_list('instances', jid, 'Map')] == [0, 1, 2])

    long_id = client.create_job(dag_job('cov-sdk-long', cid, 'sleep 30')).Id
    wait_state(long_id, ('Running',))
    client.stop_job(long_id)
    check('sdk stop_job', wait_state(long_id, ('Stopped',)) == 'Stopped')
    client.change_job_priority(long_id, 77)
    check('sdk change_job_priority (GetJob)', client.get_job(long_id).Priority == 77)
    client.start_job(long_id)
    check('sdk start_job (Stopped)', wait_state(long_id, ('Running', 'Waiting')) in ('Running', 'Waiting'))
    client.stop_job(long_id)
    wait_state(long_id, ('Stopped',))
    client.delete_job(long_id)
    check('sdk delete_job', status_of(lambda: client.get_job(long_id)) == 404)

    gate = os.path.join(scratch, 'sdk-gate')
    failing = client.create_job(dag_job('cov-sdk-restart', cid, "sh -c 'test -e %s'" % gate)).Id
    check('a job that fails fails', wait(failing) == 'Failed')
    open(gate, 'w').close()
    client.start_job(failing)
    check('sdk start_job (Failed: runs the failed instances again)', wait(failing) == 'Finished')


# ---------------------------------------------------------------- SDK: apps
def sdk_apps(cid):
    app = {'Name': 'cov-sdk-app', 'Description': 'v1', 'CommandLine': 'echo v1 ${greeting}', 'Daemonize': False,
           'InputParameters': {'greeting': {'Type': 'String', 'Default': 'hi', 'LocalPath': '', 'Description': ''}},
           'OutputParameters': {'result': {'Type': 'String', 'Default': '', 'LocalPath': '', 'Description': ''}},
           'Config': {'ClusterId': {'Default': cid, 'Overwritable': True, 'Description': ''}}}
    check('sdk create_app', client.create_app(app).Id == 'cov-sdk-app')
    app['CommandLine'] = 'echo v2 ${greeting}'
    client.modify_app('cov-sdk-app', app)
    check('sdk modify_app / get_app', client.get_app('cov-sdk-app').CommandLine == 'echo v2 ${greeting}')
    check('sdk get_app_revisions', [r.Revision for r in client.get_app_revisions('cov-sdk-app').Items] == [1, 2])
    check('sdk get_app_detail', client.get_app_detail('cov-sdk-app', '1').CommandLine == 'echo v1 ${greeting}'
          and client.get_app_detail('cov-sdk-app').CommandLine == 'echo v2 ${greeting}')
    check('sdk list_apps', 'cov-sdk-app' in [a.Name for a in client.list_apps().Items])
    jid = client.create_job({'Name': 'cov-app-job', 'Type': 'App', 'App': {
        'AppName': 'cov-sdk-app', 'Inputs': {'greeting': 'there'},
        'Logging': {'StdoutPath': 'oss://mybucket/sdk/applogs/', 'StderrPath': 'oss://mybucket/sdk/applogs/'}}}).Id
    state = wait(jid)
    out = obj('oss://mybucket/sdk/applogs/stdout.%s.app.0' % jid)
    check('sdk create_job (App: %s, %r)' % (state, out), state == 'Finished' and out == 'v2 there\n')
    res = client.create_job({'Name': 'cov-sync', 'Type': 'App', 'App': {
        'AppName': 'cov-sdk-app', 'Inputs': {'greeting': 'sync'}, 'Outputs': {'result': 'oss://mybucket/sdk/sync/r'}}}, sync=True)
    check('sdk create_job (App, sync=True)', res.Outputs == {'result': 'oss://mybucket/sdk/sync/r'} and res.EndTime is not None)
    client.delete_app('cov-sdk-app', '1')
    check('sdk delete_app (one revision)', [r.Revision for r in client.get_app_revisions('cov-sdk-app').Items] == [2])
    client.delete_app('cov-sdk-app')
    check('sdk delete_app', status_of(lambda: client.get_app('cov-sdk-app')) == 404)


# ---------------------------------------------------------------- bcs: configuration
def bcs_config():
    fresh = home('fresh', config=False)
    b = runner(fresh)
    b('set', '-s', 'false')     # the CLI defaults to HTTPS; the engine speaks HTTP
    text = b('login', 'cn-qingdao', key_id, secret)
    cache = os.path.join(fresh, '.batchcompute', 'clicache_ecs_instancetypes.json')
    types = json.load(open(cache)) if os.path.exists(cache) else {}
    check('bcs login', 'login success' in text and 'ecs.sn1.medium' in types, text)
    text = b('t')
    check('bcs t (instance_type, after login)', 'ecs.sn1.medium' in text and 'Traceback' not in text, text)
    text = b('set', '-o', 'oss://mybucket/bcscli/', '-t', 'ecs.sn1.large', '-i', 'img-ubuntu')
    bad = b('set', '-t', 'ecs.no-such-type')
    shown = b('me')
    check('bcs set / me (config)', 'done' in text and 'is invalid' in bad and 'defaulttype: ecs.sn1.large' in shown
          and 'osspath: oss://mybucket/bcscli/' in shown and secret not in shown, text + bad + shown)
    b('logout')
    check('bcs logout', 'You need to login first' in b('j'))
    b2 = runner(home('osslogin'))
    text = b2('o', 'login', 'cn-qingdao', key_id, secret)
    listed = b2('o', 'ls', 'oss://mybucket/')
    check('bcs o login', 'login success' in text and 'bcscli/' in listed, text + listed)
    b2('o', 'logout')
    check('bcs o logout', 'oss_id' not in open(os.path.join(scratch, 'osslogin', '.batchcompute', 'cliconfig')).read())


def bcs_catalog():
    expect('bcs r (resource_type)', ['r'], ['OnDemand', 'Spot'])
    expect('bcs t (instance_type)', ['t'], ['Instance types', 'Spot Instance types'])
    expect('bcs d (disk_type)', ['d'], ['System Disk Types', 'cloud_efficiency'])
    expect('bcs e (event)', ['e'], ['OnJobFailed', 'OnClusterDeleted'])
    expect('bcs i (image list)', ['i'], ['img-ubuntu', 'img-sge', 'System'])
    expect('bcs i <id>', ['i', 'img-ubuntu'], ['Id: img-ubuntu', 'Platform: Linux'])
    text = expect('bcs ci (create_image)', ['ci', 'cov-bcs-image', 'm-covbcs0001', '-p', 'linux', '-d', 'from bcs'], ['Image create: img-'])
    image = created(text, 'image')
    expect('bcs i (lists the registered image)', ['i'], [image or 'img-?', 'm-covbcs0001', 'Self'])
    text = bcs('cc', 'cov-on-image', '-i', image or 'img-?')
    cid = created(text, 'cluster')
    check('bcs cc -i <registered image>', cid is not None, text)
    if cid:
        bcs('dc', cid, '-y')
    expect('bcs di (delete_image)', ['di', image or 'img-?', '-y'], ['done'])
    check('bcs di: the image is gone', status_of(lambda: client.get_image(image)) == 404)


# ---------------------------------------------------------------- bcs: clusters
def bcs_clusters():
    text = expect('bcs cc (create_cluster)', ['cc', 'cov-bcs', '-n', '2', '-d', 'coverage', '-u', 'k1:v1', '-e', 'CENV:cval',
                                              '--disk', 'system:cloud:40,data:cloud:50:/home/disk1'], ['Cluster created: cls-'])
    cid = created(text, 'cluster')
    expect('bcs c (cluster list)', ['c'], [cid, 'cov-bcs', 'Active'])
    expect('bcs c <id>', ['c', cid], ['Name: cov-bcs', 'k1 : v1', 'CENV : cval', 'group'])
    deadline = time.time() + 20
    while time.time() < deadline and client.get_cluster(cid).Groups['group'].ActualVMCount != 2:
        time.sleep(0.1)
    text = expect('bcs c <id> <group> (instances)', ['c', cid, 'group'], ['Instances:', 'Running'])
    vms = re.findall(r'\| (i-[0-9a-z]+) ', text)
    expect('bcs c <id> -l (operation log)', ['c', cid, '-l'], ['Operation Logs:'])
    expect('bcs uc -n (update_cluster)', ['uc', cid, '-n', '3', '-y'], ['done'])
    expect('bcs uc -e -u', ['uc', cid, '-e', 'CENV:c2', '-u', 'k1:v2', '-y'], ['done'])
    got = client.get_cluster(cid)
    check('bcs uc: DesiredVMCount, EnvVars and UserData changed', got.Groups['group'].DesiredVMCount == 3
          and got.EnvVars == {'CENV': 'c2'} and got.UserData == {'k1': 'v2'})
    if len(vms) >= 2:
        expect('bcs rci (recreate_cluster_instance)', ['rci', cid, 'group', vms[0], '-y'], ['done'])
        expect('bcs dci (delete_cluster_instance)', ['dci', cid, 'group', vms[1], '-y'], ['done'])
        now = [i.Id for i in client.list_cluster_instances(cid, 'group', '', 100).Items]
        check('bcs rci/dci: both VMs replaced or gone (%s -> %s)' % (vms[:2], now), vms[0] not in now and vms[1] not in now)
    else:
        check('bcs c <id> <group> lists the VMs', False, text)
    spot = created(expect('bcs cc --resource_type Spot', ['cc', 'cov-spot', '--resource_type', 'Spot', '--spot_price_limit', '0.5'],
                          ['Cluster created: cls-']), 'cluster')
    expect('bcs uc --spot_price_limit', ['uc', spot, '--spot_price_limit', '0.8', '-y'], ['done'])
    check('bcs uc --spot_price_limit: stored', client.get_cluster(spot).Groups['group'].SpotPriceLimit == 0.8)
    expect('bcs dc (delete_cluster, several)', ['dc', '%s,%s' % (spot, cid), '-y'], ['done'])
    check('bcs dc: both gone', status_of(lambda: client.get_cluster(spot)) == 404 and status_of(lambda: client.get_cluster(cid)) == 404)


# ---------------------------------------------------------------- bcs: jobs
def bcs_jobs(cid):
    text = expect('bcs sub (AutoCluster, -n 2)', ['sub', 'echo hello-auto', '-n', '2'], ['Job created: job-'])
    auto = created(text)
    check('bcs sub: Finished', wait(auto) == 'Finished')
    os.makedirs('prog', exist_ok=True)
    with open('prog/main.sh', 'w') as f:
        f.write('echo packed-$1-$MYV\n')
    text = expect('bcs sub -p -e -c <cluster>', ['sub', 'sh main.sh a1', 'packjob', '-c', cid, '-p', './prog/', '-e', 'MYV:val1'],
                  ['Job created: job-'])
    packed = created(text)
    wait(packed)
    text = expect('bcs log (l)', ['log', packed], ['Stdout', 'packed-a1-val1'])
    expect('bcs l <job> <task> <n> -o', ['l', packed, 'task', '0', '-o'], ['packed-a1-val1'])
    logs = os.path.join(scratch, 'logs-download')
    expect('bcs log -d', ['log', packed, '-d', logs], ['done'])
    check('bcs log -d: stdout downloaded', os.path.exists(os.path.join(logs, 'stdout.%s.task.0' % packed)))

    with open('ref.txt', 'w') as f:
        f.write('refdata\n')
    bcs('o', 'up', 'ref.txt', 'oss://mybucket/covref/ref.txt')
    mounted = created(bcs('sub', 'cat /home/ref/ref.txt', 'mountjob', '-c', cid, '-m', 'oss://mybucket/covref/:/home/ref/'))
    state = wait(mounted)
    check('bcs sub -m (read-only OSS mount: %s)' % state, state == 'Finished' and 'refdata' in bcs('log', mounted),
          bcs('ch', mounted))
    written = created(bcs('sub', "sh -c 'echo out > /tmp/covout/o.txt'", 'wjob', '-c', cid, '-w', 'oss://mybucket/covwout/:/tmp/covout/'))
    state = wait(written)
    check('bcs sub -w (OutputMapping: %s)' % state, state == 'Finished' and obj('oss://mybucket/covwout/o.txt') == 'out\n',
          bcs('ch', written))
    mapped = created(bcs('sub', "sh -c 'echo logged > app.log'", 'lmjob', '-c', cid, '--log_mapping', 'oss://mybucket/covlm/:app.log'))
    wait(mapped)
    expect('bcs sub --log_mapping / bcs log -m', ['log', mapped, '-m'], ['logged'])
    released = created(bcs('sub', 'echo released', 'reljob', '-c', cid, '--auto_release'))
    deadline = time.time() + 30
    while time.time() < deadline and status_of(lambda: client.get_job(released)) != 404:
        time.sleep(0.1)
    check('bcs sub --auto_release: deleted once Finished', status_of(lambda: client.get_job(released)) == 404)
    forced = created(bcs('sub', "sh -c 'exit 1'", 'forcejob', '-c', cid, '-n', '2', '-f', '--priority', '9', '-d', 'forced'))
    check('bcs sub -f --priority -d: Finished despite failed instances',
          wait(forced) == 'Finished' and client.get_job(forced).Priority == 9
          and client.get_job_description(forced).Description == 'forced')
    timed = created(bcs('sub', 'sleep 20', 'tojob', '-c', cid, '--timeout', '1'))
    check('bcs sub --timeout: Failed', wait(timed) == 'Failed')
    expect('bcs sub --show_json', ['sub', 'echo x', '-c', cid, '--show_json'], ['"CommandLine": "echo x"'])
    with open('job.cfg', 'w') as f:
        f.write('[DEFAULT]\njob_name=cfgjob\nenv=GREET:hi\ndeps=split->count\n[split]\ncmd=sh -c \'echo split-$GREET\'\ncluster=%s\n'
                '[count]\ncmd=sh -c \'echo count-$BATCH_COMPUTE_DAG_INSTANCE_ID\'\nnodes=2\ncluster=%s\n' % (cid, cid))
    expect('bcs sub --file --show_dag', ['sub', '--file', 'job.cfg', '--show_dag'], ['split', 'count'])
    cfg = created(expect('bcs sub --file (DAG from job.cfg)', ['sub', '--file', 'job.cfg'], ['Job created: job-']))
    wait(cfg)
    expect('bcs log (DAG job)', ['log', cfg], ['split-hi', 'count-0', 'count-1'])

    host = json.loads(client._sa.post('clusters', body=json.dumps({
        'Name': 'cov-host', 'ImageId': 'img-ubuntu', 'Runtime': 'host',
        'Groups': {'g': {'DesiredVMCount': 1, 'InstanceType': 'ecs.sn1.medium'}}})).read())['Id']
    docker = created(bcs('sub', 'echo in-docker', 'dockjob', '-c', host, '--docker', 'myubuntu@oss://mybucket/dockers/'))
    check('bcs sub --docker on a Runtime: host cluster', wait(docker) == 'Finished' and 'in-docker' in bcs('log', docker))
    on_host = os.path.join(scratch, 'docker-ran-on-the-host')
    nohost = created(bcs('sub', 'sh -c "touch %s 2>/dev/null; echo in-docker"' % on_host, 'dockjob2', '-c', cid,
                         '--docker', 'myubuntu@oss://mybucket/dockers/'))
    state = wait(nohost)
    if not runtime:
        check('bcs sub --docker elsewhere, no container runtime: NoContainerRuntime',
              'NoContainerRuntime' in bcs('ch', nohost) and not os.path.exists(on_host))
    else:
        reason = bcs('ch', nohost)
        check('bcs sub --docker elsewhere, through %s: never on the host, never NoContainerRuntime (%s)' % (runtime, state),
              state in ('Finished', 'Failed') and not os.path.exists(on_host) and 'NoContainerRuntime' not in reason, reason)

    job = {'Name': 'cjjob', 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True, 'DAG': {'Tasks': {
        name: {'InstanceCount': 1, 'ClusterId': cid, 'MaxRetryCount': 0, 'Timeout': 60,
               'Parameters': {'Command': {'CommandLine': 'echo from-' + name, 'PackagePath': ''},
                              'StdoutRedirectPath': 'oss://mybucket/covcj/', 'StderrRedirectPath': 'oss://mybucket/covcj/'}}
        for name in ('a', 'b')}, 'Dependencies': {'a': ['b']}}}
    with open('job.json', 'w') as f:
        json.dump(job, f)
    cj = created(expect('bcs cj -f (create_job)', ['cj', '-f', 'job.json'], ['Job created: job-']))
    cj2 = created(expect('bcs cj <json>', ['cj', json.dumps(dict(job, Name='cjstr'))], ['Job created: job-']))
    check('bcs cj: both Finished', wait(cj) == 'Finished' and wait(cj2) == 'Finished')
    expect('bcs j (job list)', ['j'], [cj, 'cjjob', 'Finished'])
    expect('bcs j -s -n -t', ['j', '-s', 'Finished', '-n', 'cjstr', '-t', '5'], [cj2], [cj])
    expect('bcs j <job> (detail, DAG)', ['j', cj], ['Name: cjjob', 'Tasks:', 'a', 'b'])
    expect('bcs j <job> <task>', ['j', packed, 'task'], ['Instances:', 'Finished'])
    expect('bcs j <job> <task> <n>', ['j', packed, 'task', '0'], ['packed-a1-val1'])
    expect('bcs j <job> -d', ['j', cj, '-d'], ['"Dependencies"'])

    failing = created(bcs('sub', "sh -c 'echo bad >&2; exit 3'", 'failjob', '-c', cid))
    wait(failing)
    expect('bcs ch (check)', ['ch', failing], ['NonZeroExitCode', 'exit'])
    long_id = created(bcs('sub', 'sleep 30', 'longjob', '-c', cid))
    wait_state(long_id, ('Running',))
    expect('bcs sj (stop_job)', ['sj', long_id, '-y'], ['done'])
    check('bcs sj: Stopped', wait_state(long_id, ('Stopped',)) == 'Stopped')
    expect('bcs uj (update_job -p)', ['uj', long_id, '-p', '50', '-y'], ['done'])
    check('bcs uj: priority 50 (GetJob)', client.get_job(long_id).Priority == 50)
    expect('bcs rj (restart_job, Stopped)', ['rj', long_id, '-y'], ['done'])
    check('bcs rj: running again', wait_state(long_id, ('Running', 'Waiting')) in ('Running', 'Waiting'))
    gate = os.path.join(scratch, 'bcs-gate')
    gated = created(bcs('sub', "sh -c 'test -e %s'" % gate, 'gatejob', '-c', cid))
    wait(gated)
    open(gate, 'w').close()
    expect('bcs rj (restart_job, Failed)', ['rj', gated, '-y'], ['done'])
    check('bcs rj: the Failed job runs again and Finishes', wait(gated) == 'Finished')
    expect('bcs dj (delete_job: stop + delete, several)', ['dj', '%s,%s' % (long_id, gated), '-y'], ['done'])
    check('bcs dj: both gone', status_of(lambda: client.get_job(long_id)) == 404 and status_of(lambda: client.get_job(gated)) == 404)


# ---------------------------------------------------------------- bcs: apps
def bcs_apps(cid):
    with open('x.txt', 'w') as f:
        f.write('inputdata\n')
    bcs('o', 'up', 'x.txt', 'oss://mybucket/covappin/x.txt')
    expect('bcs ca (create_app)', ['ca', 'cov-bcs-app', 'echo app-${greeting}', '--inputs', 'greeting:String:::hello',
                                   '-t', 'ecs.sn1.medium:true'], ['App created: cov-bcs-app'])
    app = {'Name': 'cov-file-app', 'Description': 'from file',
           'CommandLine': "sh -c 'echo app-${greeting}-$APPV; cat /home/in/x.txt; cp /home/in/x.txt /home/out/o.txt'",
           'EnvVars': {'APPV': 'v1'},
           'InputParameters': {'greeting': {'Type': 'String', 'Default': 'hello'}, 'in1': {'Type': 'String', 'LocalPath': '/home/in/'}},
           'OutputParameters': {'out1': {'Type': 'String', 'LocalPath': '/home/out/'}},
           'Config': {'ClusterId': {'Default': cid, 'Overwritable': True, 'Description': ''}}}
    with open('app.json', 'w') as f:
        json.dump(app, f)
    expect('bcs ca --file', ['ca', '--file', 'app.json'], ['App created: cov-file-app'])
    expect('bcs a (app list)', ['a'], ['cov-bcs-app', 'cov-file-app', 'Private'])
    expect('bcs a <app>', ['a', 'cov-bcs-app'], ['Name: cov-bcs-app', 'greeting', 'Revisions:'])
    expect('bcs ua (update_app)', ['ua', 'cov-bcs-app', 'echo v2-${greeting}', '-e', 'APPV:v2', '-y'], ['done'])
    expect('bcs a <app> <revision>', ['a', 'cov-bcs-app', '2', '-d'], ['echo v2-${greeting}', 'APPV'])
    expect('bcs asub -h (options from the App)', ['asub', 'cov-file-app', '-h'], ['--input_greeting', '--input_in1', '--output_out1'])
    text = expect('bcs asub', ['asub', 'cov-file-app', 'cov-asub', '--input_greeting', 'world', '--input_in1', 'oss://mybucket/covappin/',
                               '--output_out1', 'oss://mybucket/covappout/'], ['Job created: job-'])
    jid = created(text)
    state = wait(jid)
    log = bcs('log', jid)
    check('bcs asub: the App job ran with its inputs and outputs (%s)' % state,
          state == 'Finished' and 'app-world-v1' in log and 'inputdata' in log and obj('oss://mybucket/covappout/o.txt') == 'inputdata\n',
          log + bcs('ch', jid))
    expect('bcs da <app> <revision>', ['da', 'cov-bcs-app', '1', '-y'], ['done'])
    check('bcs da <revision>: revision 2 stays', [r.Revision for r in client.get_app_revisions('cov-bcs-app').Items] == [2])
    expect('bcs da (delete_app, several)', ['da', 'cov-bcs-app,cov-file-app', '-y'], ['done'])
    check('bcs da: both gone', status_of(lambda: client.get_app('cov-bcs-app')) == 404 and status_of(lambda: client.get_app('cov-file-app')) == 404)


# ---------------------------------------------------------------- bcs: OSS
def bcs_oss():
    expect('bcs o pwd', ['o', 'pwd'], ['oss://mybucket/bcscli/'])
    os.makedirs('updir/sub', exist_ok=True)
    for name, body in (('updir/a.txt', 'a\n'), ('updir/sub/b.txt', 'b\n')):
        with open(name, 'w') as f:
            f.write(body)
    expect('bcs o up (folder)', ['o', 'up', './updir/', 'oss://mybucket/covup/'], ['done'])
    expect('bcs o up -p (file)', ['o', 'up', 'updir/a.txt', 'oss://mybucket/covsingle.txt', '-p'], ['done'])
    expect('bcs o ls', ['o', 'ls', 'oss://mybucket/covup/'], ['a.txt', 'sub/'])
    expect('bcs o ls -n -t', ['o', 'ls', 'oss://mybucket/', '-n', 'covup', '-t', '5'], ['covup/'], ['covsingle.txt'])
    expect('bcs o cat', ['o', 'cat', 'oss://mybucket/covup/a.txt', 'oss://mybucket/covup/sub/b.txt'], ['a', 'b'])
    text = bcs('o', 'cat', 'oss://mybucket/covup/sub/b.txt', '-r', '0')
    check('bcs o cat -r N (range)', text.strip() == 'b', text)
    expect('bcs o cp (file)', ['o', 'cp', 'oss://mybucket/covup/a.txt', 'oss://mybucket/covcopy/'], ['done'])
    expect('bcs o cp (folder)', ['o', 'cp', 'oss://mybucket/covup/', 'oss://mybucket/covcopydir/'], ['done'])
    check('bcs o cp: copies there', obj('oss://mybucket/covcopy/a.txt') == 'a\n' and obj('oss://mybucket/covcopydir/b.txt') == 'b\n')  # bcs flattens a folder
    shutil.rmtree('down', ignore_errors=True)
    expect('bcs o down (folder)', ['o', 'down', 'oss://mybucket/covup/', './down/'], ['done'])
    check('bcs o down: files there', open('down/sub/b.txt').read() == 'b\n' if os.path.exists('down/sub/b.txt') else False)
    expect('bcs o del (file)', ['o', 'del', 'oss://mybucket/covsingle.txt', '-y'], ['done'])
    expect('bcs o del (folder)', ['o', 'del', 'oss://mybucket/covup/', '-y'], ['done'])
    expect('bcs o ls (after del)', ['o', 'ls', 'oss://mybucket/'], ['covcopy/'], ['covup/', 'covsingle.txt'])


def bcctl_oss():
    """bcctl oss and bcs o read and write the same store, the engine's, through its OSS API."""
    env = dict(os.environ, BCOPS_ENDPOINT='http://127.0.0.1:%d' % port, BCOPS_ACCESS_KEY_ID=key_id,
               BCOPS_ACCESS_KEY_SECRET=secret, BCOPS_DATA=os.path.join(scratch, 'no-such-data-dir'))

    def run(*args):
        out = subprocess.run([bcctl, 'oss'] + list(args), env=env, capture_output=True, text=True, timeout=60)
        return out.returncode, out.stdout + out.stderr
    with open('from-bcctl.txt', 'w') as f:
        f.write('from bcctl\n')
    rc, text = run('cp', 'from-bcctl.txt', 'oss://mybucket/covbcctl/')
    check('bcctl oss cp (file -> oss), read by bcs o cat', rc == 0 and 'from bcctl' in bcs('o', 'cat', 'oss://mybucket/covbcctl/from-bcctl.txt'), text)
    bcs('o', 'up', 'ref.txt' if os.path.exists('ref.txt') else 'from-bcctl.txt', 'oss://mybucket/covbcctl/sub/from-bcs.txt')
    rc, text = run('ls', '-r', 'oss://mybucket/covbcctl/')
    check('bcctl oss ls -r sees what bcs o up wrote', rc == 0 and 'from-bcs.txt' in text and 'from-bcctl.txt' in text, text)
    rc, text = run('cat', 'oss://mybucket/covbcctl/from-bcctl.txt')
    check('bcctl oss cat', rc == 0 and text == 'from bcctl\n', text)
    rc, text = run('cp', 'oss://mybucket/covbcctl/from-bcctl.txt', os.path.join(scratch, 'bcctl-down.txt'))
    check('bcctl oss cp (oss -> file)', rc == 0 and open(os.path.join(scratch, 'bcctl-down.txt')).read() == 'from bcctl\n', text)


# ---------------------------------------------------------------- bcs: templates, projects, PBS
def bcs_projects(cid):
    for kind, files in (('python', ['job.json', 'src/split.py']), ('shell', ['job.json', 'src/Main.sh'])):
        shutil.rmtree('gen_' + kind, ignore_errors=True)
        expect('bcs gen -t %s' % kind, ['gen', './gen_' + kind, '-t', kind], ['Done'])
        check('bcs gen -t %s: files' % kind, all(os.path.exists(os.path.join('gen_' + kind, f)) for f in files))
    shutil.rmtree('shellproj', ignore_errors=True)
    expect('bcs p create', ['p', 'create', 'shellproj', '-t', 'shell'], ['Done'])
    proj = os.path.join(scratch, 'shellproj')
    expect('bcs p update -c <cluster>', ['p', 'update', '-c', cid], ['Done'], cwd=proj)
    expect('bcs p build', ['p', 'build'], ['Done'], cwd=proj)
    check('bcs p build: worker.tar.gz', os.path.exists(os.path.join(proj, 'worker.tar.gz')))
    jid = created(expect('bcs p submit', ['p', 'submit'], ['Job created: job-'], cwd=proj))
    state = wait(jid)
    log = bcs('log', jid)
    check('bcs p submit: the project job Finished (%s)' % state, state == 'Finished' and '%s\nprint\n0' % jid in log, log)
    expect('bcs p status (st)', ['p', 'st'], ['print', 'CommandLine: sh Main.sh'], cwd=proj)
    shutil.rmtree('fromjob', ignore_errors=True)
    expect('bcs p create -j <job>', ['p', 'create', 'fromjob', '-j', jid], ['Done'])
    check('bcs p create -j: job.json from the job', os.path.exists('fromjob/job.json') and 'Main.sh' in open('fromjob/job.json').read())

    with open('run.pbs', 'w') as f:
        f.write('#!/bin/bash\n#PBS -N pbsjob\necho pbs-hello\n')
    text = expect('bcs qsub', ['qsub', '-N', 'pbsjob', 'run.pbs'], ['.console'])
    console = re.search(r'(\d+)\.console', text)
    jid = ('job-%032X' % int(console.group(1))) if console else None
    job = client.get_job(jid) if jid else None
    check('bcs qsub: job %s named qsub-<user>-pbsjob' % jid, job is not None and re.match(r'qsub-.+-pbsjob$', job.Name), text)
    if job:
        state = wait(jid)
        default_path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
        if shutil.which('python', path=default_path):
            check('bcs qsub: the script ran (%s)' % state, state == 'Finished')
        else:
            check('bcs qsub: no `python` on the engine\'s PATH here, so the job fails saying so (%s)' % state,
                  state == 'Failed' and 'python: not found' in bcs('ch', jid))


sdk_service_ok = step('sdk service', sdk_service)
step('sdk images', sdk_images)
cluster_id = step('sdk clusters', sdk_clusters)
if cluster_id:
    step('sdk jobs', lambda: sdk_jobs(cluster_id))
    step('sdk apps', lambda: sdk_apps(cluster_id))
    client.delete_cluster(cluster_id)
    check('sdk delete_cluster', status_of(lambda: client.get_cluster(cluster_id)) == 404)
step('bcs config', bcs_config)
step('bcs catalog', bcs_catalog)
step('bcs clusters', bcs_clusters)
bcs_cluster = created(bcs('cc', 'cov-jobs', '-n', '2'), 'cluster')
check('bcs cc (cluster for the job checks)', bcs_cluster is not None)
if bcs_cluster:
    step('bcs jobs', lambda: bcs_jobs(bcs_cluster))
    step('bcs apps', lambda: bcs_apps(bcs_cluster))
    step('bcs projects', lambda: bcs_projects(bcs_cluster))
step('bcs oss', bcs_oss)
if bcctl:
    step('bcctl oss', bcctl_oss)
if failures:
    print('%d FAILED: %s' % (len(failures), ', '.join(failures)))
    sys.exit(1)
print('all coverage checks passed')
