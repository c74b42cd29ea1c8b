"""The bcs CLI's image and cluster-VM verbs against the engine: bcs i, ci, di, c <id> <group>,
rci, dci and cc/sub with an unknown image. What bcs printed is checked, and what the engine
then holds, through the SDK.

Usage: bcs_clusters_images.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET SCRATCH_HOME
"""
import re
import sys

from batchcompute import Client, ClientError
from bcs_home import bcs_runner
from batchcompute.resources import ClusterDescription, GroupDescription

port, key_id, secret, home = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)
bcs = bcs_runner(port, key_id, secret, home)
failed = False


def check(what, condition, text=''):
    global failed
    print(('ok   ' if condition else 'FAIL ') + what)
    if not condition:
        print(text)
        failed = True


def vms(cluster_id, group):
    return [i.Id for i in client.list_cluster_instances(cluster_id, group, '', 100).Items]


def gone(call):
    try:
        call()
    except ClientError as e:
        return e.get_status_code() == 404
    return False


# Images.
text = bcs('ci', 'bcs-image', 'm-bcs123', '-p', 'windows', '-d', 'made by bcs')
m = re.search(r'Image create: (img-[a-z0-9]+)', text)
check('bcs ci prints the new image id', m is not None, text)
image = m.group(1) if m else 'img-none'
got = client.get_image(image) if m else None
check('bcs ci registered it', got is not None and got.EcsImageId == 'm-bcs123' and got.Platform == 'Windows' and got.Name == 'bcs-image')
text = bcs('i')
check('bcs i lists the system images and the registered one once',
      all(n in text for n in ('img-ubuntu', 'img-sge', 'm-wz9du0xaalpag4ylwzs', 'System')) and text.count(image) == 1, text)
text = bcs('i', image)
check('bcs i ID shows the image', 'm-bcs123' in text and 'Windows' in text and 'bcs-image' in text, text)
text = bcs('di', image, '-y')
check('bcs di deletes it', 'done' in text and gone(lambda: client.get_image(image)), text)
text = bcs('di', 'img-ubuntu', '-y')
check('bcs di of a system image is refused', 'Forbidden' in text and client.get_image('img-ubuntu').Id == 'img-ubuntu', text)

# An unknown image is refused wherever bcs names one.
text = bcs('cc', 'bcs-bad-image', '-i', 'img-nope', '-n', '1')
check('bcs cc -i img-nope is refused with InvalidImageId', 'InvalidImageId' in text and 'img-nope' in text, text)
text = bcs('sub', 'echo hi', 'bcs-bad-image', '-i', 'img-nope')
check('bcs sub -i img-nope (AutoCluster) is refused with InvalidImageId', 'InvalidImageId' in text and 'img-nope' in text, text)
text = bcs('sub', 'echo hi', 'bcs-bad-type', '-t', 'ecs.nope.large')
check('bcs sub -t ecs.nope.large (AutoCluster) is refused with InvalidInstanceType', 'InvalidInstanceType' in text, text)

# Cluster VMs.
cluster = ClusterDescription()
cluster.Name = 'bcs-vms'
cluster.ImageId = 'img-ubuntu'
group = GroupDescription()
group.DesiredVMCount = 3
group.InstanceType = 'ecs.sn1.medium'
cluster.add_group('group1', group)
cid = client.create_cluster(cluster).Id
ids = vms(cid, 'group1')
text = bcs('c', cid, 'group1')
check('bcs c ID GROUP lists the group\'s VMs', all(i in text for i in ids) and '127.0.0.1' in text and 'Running' in text, text)
text = bcs('c')
check('bcs c counts the VMs (3 / 3)', '3 / 3' in text, text)
text = bcs('rci', cid, 'group1', ids[0], '-y')
now = vms(cid, 'group1')
check('bcs rci recreates the VM with a new id', 'done' in text and ids[0] not in now and len(now) == 3, text)
text = bcs('dci', cid, 'group1', ids[1], '-y')
now = vms(cid, 'group1')
check('bcs dci deletes the VM and the group wants one fewer',
      'done' in text and ids[1] not in now and len(now) == 2 and client.get_cluster(cid).Groups['group1'].DesiredVMCount == 2, text)
text = bcs('dci', cid, 'group1', ids[1], '-y')
check('bcs dci of a deleted VM fails with InvalidResource.NotFound', 'InvalidResource.NotFound' in text, text)
text = bcs('c', cid, '-l')
check('bcs c ID -l shows the operation logs', 'recreated VM %s' % ids[0] in text and 'deleted VM %s' % ids[1] in text, text)
print('bcs image and cluster VM checks ' + ('FAILED' if failed else 'passed'))
sys.exit(1 if failed else 0)
