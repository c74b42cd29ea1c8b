"""Cluster VMs and images through the official batchcompute SDK 2.1.7, unmodified.

Usage: sdk_clusters_images.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET STATE_FILE [after-restart]

Without `after-restart`: images (system and registered), image checks on clusters and
AutoClusters, and cluster VMs (list with paging, get, recreate, delete, resize). Every VM id
seen is written to STATE_FILE (JSON), with the VMs of a cluster left in place.
With `after-restart` (the engine was restarted on the same data directory): the cluster left
in place still has its VMs, and no new VM id is one seen before.
Prints one line per check and exits non-zero at the first failure.
"""
import json
import re
import sys

from batchcompute import Client, ClientError
from batchcompute.client.response import RawResponse
from batchcompute.resources import ClusterDescription, GroupDescription, ImageDescription

port, key_id, secret, state_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
after_restart = len(sys.argv) > 5 and sys.argv[5] == 'after-restart'
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)

VM_ID = re.compile(r'^i-[a-z0-9]{20}$')
IMG_ID = re.compile(r'^img-[a-z0-9]{22}$')


def check(what, condition):
    print(('ok   ' if condition else 'FAIL ') + what)
    if not condition:
        sys.exit(1)


def fails(what, call, status, code, *needles):
    try:
        call()
    except ClientError as e:
        msg = e.get_msg()
        good = e.get_status_code() == status and e.get_code() == code and all(n in msg for n in needles)
        check('%s: %s %s' % (what, e.get_status_code(), e.get_code()) + ('' if good else ' (%s)' % msg), good)
        return
    check(what + ': no error', False)


def cluster_desc(name, image='img-ubuntu', **counts):
    c = ClusterDescription()
    c.Name = name
    c.ImageId = image
    for g, n in sorted(counts.items()):
        group = GroupDescription()
        group.DesiredVMCount = n
        group.InstanceType = 'ecs.sn1.medium'
        c.add_group(g, group)
    return c


def vms(cluster_id, group):
    return [i.Id for i in client.list_cluster_instances(cluster_id, group, '', 100).Items]


def raw_cluster(cluster_id):
    return RawResponse(client._sa.get('clusters', cluster_id), False).content


def dag_job(name, auto):
    return {'Name': name, 'Priority': 1, 'Type': 'DAG', 'JobFailOnInstanceFail': True,
            'DAG': {'Tasks': {'t': {'InstanceCount': 1, 'ClusterId': '', 'AutoCluster': auto,
                                    'Parameters': {'Command': {'CommandLine': 'true', 'PackagePath': ''},
                                                   'StdoutRedirectPath': 'oss://b/logs/', 'StderrRedirectPath': 'oss://b/logs/'}}},
                    'Dependencies': {}}}


if after_restart:
    state = json.load(open(state_file))
    seen = set(state['seen'])
    kept = vms(state['kept_cluster'], 'group1')
    check('after a restart the cluster still has its VMs %s' % kept, kept == state['kept_vms'])
    cid = client.create_cluster(cluster_desc('after-restart', group1=3)).Id
    new = vms(cid, 'group1')
    client.recreate_cluster_instance(cid, 'group1', new[0])
    new += vms(cid, 'group1')
    client.change_cluster_desired_vm_count(state['kept_cluster'], group1=3)
    new += vms(state['kept_cluster'], 'group1')[len(kept):]
    fresh = set(new) - set(kept)
    check('%d VMs created after the restart, none with an id seen before it' % len(fresh), len(fresh) == 5 and not (fresh & seen))
    print('all checks after restart passed')
    sys.exit(0)

# --- Images -----------------------------------------------------------------------------
system = client.list_images('', 100, 'System').Items
ids = [i.Id for i in system]
check('list_images(Type=System) has the system images %s' % ids,
      all(s in ids for s in ('img-ubuntu', 'img-ubuntu-vpc', 'img-sge', 'sge-centos-vpc-x64')))
windows = [i for i in system if i.EcsImageId == 'm-wz9du0xaalpag4ylwzs']
check('the Render Manager quick start Windows image is a system image',
      len(windows) == 1 and windows[0].Platform == 'Windows' and windows[0].Type == 'System')
check('system images: Type System, OwnerId a number', all(i.Type == 'System' and isinstance(i.OwnerId, (int, float)) for i in system))
page = client.list_images('', 2, 'System')
check('system images page too (NextMarker %r)' % page.NextMarker, len(page.Items) == 2 and page.NextMarker == ids[2])
check('get_image(img-ubuntu)', client.get_image('img-ubuntu').Platform == 'Linux')
check('no registered images yet', client.list_images('', 100).Items == [])

image = ImageDescription()
image.Name = 'my-image'
image.Description = 'registered by the SDK test'
image.Platform = 'Linux'
image.EcsImageId = 'm-abc123def'
img = client.create_image(image).Id
check('create_image returns img- and 22 letters/digits: %s' % img, IMG_ID.match(img) is not None)
got = client.get_image(img)
check('get_image reads it back', got.Name == 'my-image' and got.EcsImageId == 'm-abc123def' and got.Platform == 'Linux'
      and got.Description == 'registered by the SDK test' and isinstance(got.OwnerId, (int, float)) and got.CreationTime is not None)
more = [client.create_image({'Platform': 'Windows', 'EcsImageId': 'm-win%d' % n}).Id for n in range(2)]
check('Name and Description are optional', client.get_image(more[0]).Name == '' and client.get_image(more[0]).Platform == 'Windows')
listed, marker, pages = [], '', 0
while True:
    r = client.list_images(marker, 1)
    listed += [i.Id for i in r.Items]
    pages += 1
    marker = r.NextMarker
    if not marker:
        break
check('list_images pages with MaxItemCount=1 (%d pages)' % pages, listed == [img] + more and pages == 3 and marker == '')
check('registered images are not listed as System', img not in [i.Id for i in client.list_images('', 100, 'System').Items])
again = client.create_image({'Platform': 'Linux', 'EcsImageId': 'm-tok'}, 'image-token').Id
check('a repeated IdempotentToken returns the same image', client.create_image({'Platform': 'Linux', 'EcsImageId': 'm-tok'}, 'image-token').Id == again)
fails('the same token with another body', lambda: client.create_image({'Platform': 'Linux', 'EcsImageId': 'm-other'}, 'image-token'),
      400, 'IdempotentTokenMismatch')
fails('create_image with an EcsImageId that is not m-…', lambda: client.create_image({'Platform': 'Linux', 'EcsImageId': 'img-ubuntu'}),
      400, 'InvalidEcsImageId')
fails('create_image with Platform Mac', lambda: client.create_image({'Platform': 'Mac', 'EcsImageId': 'm-x'}), 400, 'InvalidPlatform')
fails('get_image of an unknown id', lambda: client.get_image('img-nope'), 404, 'InvalidResource.NotFound')
fails('delete_image of a system image', lambda: client.delete_image('img-ubuntu'), 403, 'Forbidden', 'img-ubuntu')

# --- Images named by clusters and AutoClusters ---------------------------------------------
for name, known in (('a system image', 'img-sge'), ('a registered image', img), ('its ECS id', 'm-abc123def'),
                    ('the quick start ECS id', 'm-wz9du0xaalpag4ylwzs'), ('the SGE console image', 'sge-centos-vpc-x64')):
    c = client.create_cluster(cluster_desc('img-ok', image=known, g=0)).Id
    check('a cluster may use %s (%s)' % (name, known), client.get_cluster(c).ImageId == known)
    client.delete_cluster(c)
fails('a cluster with an unknown ImageId', lambda: client.create_cluster(cluster_desc('bad', image='img-nope', g=0)),
      400, 'InvalidImageId', 'img-nope', 'images')
fails('a cluster with an unregistered ECS image', lambda: client.create_cluster(cluster_desc('bad', image='m-unregistered', g=0)),
      400, 'InvalidImageId', 'm-unregistered')
c = client.create_cluster(cluster_desc('modify', g=0)).Id
fails('modify_cluster to an unknown ImageId', lambda: client.modify_cluster(c, {'ImageId': 'img-nope', 'Groups': {}}),
      400, 'InvalidImageId', 'img-nope')
client.modify_cluster(c, {'ImageId': img, 'Groups': {}})
check('modify_cluster to a registered image', client.get_cluster(c).ImageId == img)
client.delete_cluster(c)

auto = {'InstanceType': 'ecs.sn1.medium', 'ImageId': 'img-ubuntu', 'ResourceType': 'OnDemand', 'ECSImageId': ''}
job = client.create_job(dag_job('auto-ok', auto)).Id
check('an AutoCluster with a known image and type is accepted', job.startswith('job-'))
fails('an AutoCluster with an unknown ImageId', lambda: client.create_job(dag_job('auto-bad', dict(auto, ImageId='img-nope'))),
      400, 'InvalidImageId', 'img-nope')
fails('an AutoCluster with an unknown ECSImageId', lambda: client.create_job(dag_job('auto-bad', dict(auto, ECSImageId='m-nope'))),
      400, 'InvalidImageId', 'm-nope')
fails('an AutoCluster with an unknown InstanceType', lambda: client.create_job(dag_job('auto-bad', dict(auto, InstanceType='ecs.nope.large'))),
      400, 'InvalidInstanceType', 'ecs.nope.large')

client.delete_image(img)
fails('a deleted image is gone', lambda: client.get_image(img), 404, 'InvalidResource.NotFound')
fails('a second delete_image', lambda: client.delete_image(img), 404, 'InvalidResource.NotFound')
fails('a cluster may not use a deleted image', lambda: client.create_cluster(cluster_desc('bad', image=img, g=0)), 400, 'InvalidImageId')
fresh = client.create_image({'Platform': 'Linux', 'EcsImageId': 'm-abc123def'}).Id
check('image ids are never reused (%s after deleting %s)' % (fresh, img), fresh != img and fresh not in more)

# --- Cluster VMs --------------------------------------------------------------------------
seen = set()
cid = client.create_cluster(cluster_desc('vms', group1=3, group2=1)).Id
first = client.list_cluster_instances(cid, 'group1', '', 100)
ids = [i.Id for i in first.Items]
seen |= set(ids) | set(vms(cid, 'group2'))
check('a new cluster has DesiredVMCount VMs: %s' % ids, len(ids) == 3 and len(set(ids)) == 3 and len(vms(cid, 'group2')) == 1)
check('VM ids are i- and 20 lower-case letters and digits', all(VM_ID.match(i) for i in seen))
vm = first.Items[0]
check('a VM is Running on 127.0.0.1 with a host name, ErrorCode a number, a CreationTime',
      vm.State == 'Running' and vm.IpAddress == '127.0.0.1' and vm.HostName and vm.ErrorCode == 0 and vm.CreationTime is not None)
check('NextMarker is "" on the last page', first.NextMarker == '')
got = client.get_cluster(cid)
check('ActualVMCount counts the VMs, Metrics.RunningCount the running ones',
      got.Groups['group1'].ActualVMCount == 3 and got.Groups['group2'].ActualVMCount == 1 and got.Metrics.RunningCount == 4)

listed, marker, pages = [], '', 0
while True:
    r = client.list_cluster_instances(cid, 'group1', marker, 1)
    check('page %d has one VM and NextMarker %r' % (pages + 1, r.NextMarker), len(r.Items) == 1)
    listed += [i.Id for i in r.Items]
    pages += 1
    marker = r.NextMarker
    if not marker or pages > 5:
        break
check('list_cluster_instances with MaxItemCount=1 pages through the group', listed == ids and pages == 3)

one = client.get_cluster_instance(cid, 'group1', ids[1])
check('get_cluster_instance', one.Id == ids[1] and one.State == 'Running' and one.IpAddress == '127.0.0.1')
fails('get_cluster_instance in another group', lambda: client.get_cluster_instance(cid, 'group2', ids[1]), 404, 'InvalidResource.NotFound')
fails('get_cluster_instance of an unknown VM', lambda: client.get_cluster_instance(cid, 'group1', 'i-nope'), 404, 'InvalidResource.NotFound')
fails('an unknown group', lambda: client.list_cluster_instances(cid, 'nogroup', '', 10), 404, 'InvalidResource.NotFound')
fails('an unknown cluster', lambda: client.list_cluster_instances('cls-nope', 'group1', '', 10), 404, 'InvalidResource.NotFound')

revision = raw_cluster(cid)['Revision']
client.recreate_cluster_instance(cid, 'group1', ids[0])
now = vms(cid, 'group1')
replacement = [i for i in now if i not in ids]
check('recreate_cluster_instance replaces the VM with a new id %s' % replacement,
      len(now) == 3 and ids[0] not in now and len(replacement) == 1 and replacement[0] not in seen)
seen |= set(now)
fails('the recreated VM\'s old id is gone', lambda: client.get_cluster_instance(cid, 'group1', ids[0]), 404, 'InvalidResource.NotFound')
fails('deleting a VM after it was recreated fails', lambda: client.delete_cluster_instance(cid, 'group1', ids[0]), 404, 'InvalidResource.NotFound')
check('recreate does not change the cluster\'s DesiredVMCount', client.get_cluster(cid).Groups['group1'].DesiredVMCount == 3)

client.delete_cluster_instance(cid, 'group1', ids[1])
got = client.get_cluster(cid)
check('delete_cluster_instance removes the VM and lowers DesiredVMCount to 2',
      ids[1] not in vms(cid, 'group1') and len(vms(cid, 'group1')) == 2
      and got.Groups['group1'].DesiredVMCount == 2 and got.Groups['group1'].ActualVMCount == 2 and got.Metrics.RunningCount == 3)
check('the cluster has a new revision (%s -> %s)' % (revision, raw_cluster(cid)['Revision']), raw_cluster(cid)['Revision'] > revision)
fails('a second delete_cluster_instance', lambda: client.delete_cluster_instance(cid, 'group1', ids[1]), 404, 'InvalidResource.NotFound')
fails('recreate_cluster_instance of a deleted VM', lambda: client.recreate_cluster_instance(cid, 'group1', ids[1]), 404, 'InvalidResource.NotFound')

client.change_cluster_desired_vm_count(cid, group1=5)
now = vms(cid, 'group1')
added = now[2:]
check('a resize to 5 adds 3 VMs with new ids %s' % added, len(now) == 5 and len(added) == 3 and not (set(added) & seen))
seen |= set(now)
client.change_cluster_desired_vm_count(cid, group1=1)
check('a resize to 1 removes the newest VMs', vms(cid, 'group1') == now[:1])
logs = client.get_cluster(cid).OperationLogs
check('OperationLogs tell of the VMs created, recreated and deleted (%d lines)' % len(logs),
      any('recreated VM %s' % ids[0] in l for l in logs) and any('deleted VM %s' % ids[1] in l for l in logs)
      and any('created' in l and 'group1' in l for l in logs))
client.delete_cluster(cid)
fails('the VMs of a deleted cluster are gone', lambda: client.get_cluster_instance(cid, 'group1', now[0]), 404, 'InvalidResource.NotFound')

# A cluster left for the restart, whose newest VM (the highest id so far) is deleted: a
# restarted engine must not hand that id out again.
kept = client.create_cluster(cluster_desc('kept', group1=3)).Id
kept_vms = vms(kept, 'group1')
seen |= set(kept_vms)
client.delete_cluster_instance(kept, 'group1', kept_vms[-1])
kept_vms = vms(kept, 'group1')
check('the cluster kept for the restart has 2 VMs', len(kept_vms) == 2)
json.dump({'seen': sorted(seen), 'kept_cluster': kept, 'kept_vms': kept_vms}, open(state_file, 'w'))
print('all cluster VM and image checks passed')
