"""Signatures that expire, seen from the real clients: the official SDK 2.1.7 and oss2 2.19.
Their normal traffic goes through; an old Date, a reused nonce and a body that does not match
its MD5 are refused with the engine's codes. Only the client's own clock, nonce or MD5 helper
is swapped for a bad one, one check at a time; nothing else of the clients changes.

Usage: signatures.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET
"""
import email.utils
import sys
import time
import uuid

import batchcompute.core.api as sdk_api
import oss2
from batchcompute import Client, ClientError
from batchcompute.resources import ClusterDescription, GroupDescription

port, key_id, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
Client.register_region('local', '127.0.0.1', port)
client = Client('127.0.0.1', key_id, secret)
failed = False


def check(what, ok, detail=''):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what + ('' if ok else ' ' + str(detail)))
    failed = failed or not ok


def sdk_error(call):
    try:
        call()
        return None
    except ClientError as e:
        return (e.get_status_code(), e.get_code())


# --- the SDK: list, create with a body (contentMd5 checked), each signed with a fresh nonce.
check('SDK list_jobs', sdk_error(lambda: client.list_jobs('', 50)) is None)
cluster = ClusterDescription()
cluster.Name = 'sig'
cluster.ImageId = 'img-ubuntu'
group = GroupDescription()
group.DesiredVMCount = 0
group.InstanceType = 'ecs.sn1.medium'
cluster.add_group('g', group)
cluster_id = client.create_cluster(cluster).Id
check('SDK create_cluster with its contentMd5', cluster_id.startswith('cls-'))
for _ in range(3):  # several calls in one second: a fresh nonce each
    client.get_cluster(cluster_id)
check('SDK calls in quick succession', True)

# An hour-old clock.
real_gmt_time = sdk_api.gmt_time
sdk_api.gmt_time = lambda: time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(time.time() - 3600))
err = sdk_error(lambda: client.list_jobs('', 50))
check('SDK with a Date 1 hour old -> 403 RequestTimeTooSkewed', err == (403, 'RequestTimeTooSkewed'), err)
sdk_api.gmt_time = real_gmt_time

# The same nonce twice.
real_uuid1 = uuid.uuid1
fixed = real_uuid1()
uuid.uuid1 = lambda: fixed
first = sdk_error(lambda: client.list_jobs('', 50))
second = sdk_error(lambda: client.list_clusters('', 50))
uuid.uuid1 = real_uuid1
check('SDK reusing a nonce -> 403 SignatureNonceUsed', first is None and second == (403, 'SignatureNonceUsed'), (first, second))

# A contentMd5 that is not the body's.
real_md5 = sdk_api.str_md5
sdk_api.str_md5 = lambda body: real_md5(body + ' ')
err = sdk_error(lambda: client.change_cluster_desired_vm_count(cluster_id, g=0))
sdk_api.str_md5 = real_md5
check('SDK body not matching its contentMd5 -> 400 InvalidDigest', err == (400, 'InvalidDigest'), err)
check('SDK works again afterwards', sdk_error(lambda: client.change_cluster_desired_vm_count(cluster_id, g=0)) is None)


# --- oss2: puts (with and without Content-MD5), gets, deletes, as bcs o and bcs log do.
def oss_error(call):
    try:
        call()
        return None
    except oss2.exceptions.OssError as e:
        return (e.status, e.code)


bucket = oss2.Bucket(oss2.Auth(key_id, secret), 'http://127.0.0.1:%d' % port, 'sigbucket')
check('oss2 put without Content-MD5', oss_error(lambda: bucket.put_object('a.txt', b'one')) is None)
check('oss2 another put of the key, other bytes, same second', oss_error(lambda: bucket.put_object('a.txt', b'two')) is None)
check('oss2 the same put again', oss_error(lambda: bucket.put_object('a.txt', b'two')) is None)
check('oss2 reads the last write', bucket.get_object('a.txt').read() == b'two')
check('oss2 identical gets in one second', all(bucket.get_object('a.txt').read() == b'two' for _ in range(3)))
good = oss2.utils.content_md5(b'checked')
check('oss2 put with its Content-MD5', oss_error(lambda: bucket.put_object('b.txt', b'checked', headers={'Content-MD5': good})) is None)
err = oss_error(lambda: bucket.put_object('c.txt', b'checked', headers={'Content-MD5': oss2.utils.content_md5(b'other')}))
check('oss2 put with a wrong Content-MD5 -> 400 InvalidDigest', err == (400, 'InvalidDigest'), err)
check('nothing written for it', not bucket.object_exists('c.txt'))
err = oss_error(lambda: bucket.put_object('c.txt', b'checked', headers={'Content-MD5': 'not-an-md5'}))
check('oss2 put with a malformed Content-MD5 -> 400 InvalidDigest', err == (400, 'InvalidDigest'), err)
check('oss2 delete', oss_error(lambda: bucket.delete_object('b.txt')) is None)
check('oss2 delete again (already gone)', oss_error(lambda: bucket.delete_object('b.txt')) is None)
result = bucket.batch_delete_objects(['a.txt'])
check('oss2 multi-object delete (signed Content-MD5)', result.deleted_keys == ['a.txt'], result.deleted_keys)

real_http_date = oss2.utils.http_date
oss2.utils.http_date = lambda timeval=None: email.utils.formatdate(time.time() - 3600, usegmt=True)
err = oss_error(lambda: bucket.get_object('a.txt'))
oss2.utils.http_date = real_http_date
check('oss2 with a Date 1 hour old -> 403 RequestTimeTooSkewed', err == (403, 'RequestTimeTooSkewed'), err)

print('all signature checks passed' if not failed else 'some signature checks FAILED')
sys.exit(1 if failed else 0)
