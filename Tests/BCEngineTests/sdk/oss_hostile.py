"""oss2 against the engine's OSS API with keys the store cannot hold: control characters
(a NUL once truncated the key silently), name segments longer than the file system allows,
keys below an object. Every answer is one of OSS's error codes with its status, never 500,
and nothing is written under another name.

Usage: oss_hostile.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET
"""
import sys

import oss2

port, key_id, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bucket = oss2.Bucket(oss2.Auth(key_id, secret), 'http://127.0.0.1:%d' % port, 'hostile')
failed = False


def expect(what, status, code, call):
    global failed
    try:
        call()
        print('FAIL %s: accepted' % what)
        failed = True
    except oss2.exceptions.ServerError as e:
        ok = e.status == status and e.code == code and bool(e.request_id)
        print(('ok   ' if ok else 'FAIL ') + '%s: %s %s' % (what, e.status, e.code))
        failed = failed or not ok


def check(what, ok):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what)
    failed = failed or not ok


bucket.put_object('ok.txt', b'ok')
for key in ['a\x00b', 'a\x00', 'dir/\x00/x', 'a\x01b', 'a\nb', 'a\x7fb']:
    shown = key.encode('unicode_escape').decode()
    expect('put %s' % shown, 400, 'InvalidObjectName', lambda: bucket.put_object(key, b'x'))
    expect('get %s' % shown, 400, 'InvalidObjectName', lambda: bucket.get_object(key).read())
    expect('delete %s' % shown, 400, 'InvalidObjectName', lambda: bucket.delete_object(key))
    expect('copy to %s' % shown, 400, 'InvalidObjectName', lambda: bucket.copy_object('hostile', 'ok.txt', key))
    expect('batch delete %s' % shown, 400, 'InvalidObjectName', lambda: bucket.batch_delete_objects([key, 'ok.txt']))
    try:
        exists = bucket.object_exists(key)
        check('exists %s: %s' % (shown, exists), not exists)
    except oss2.exceptions.ServerError as e:
        check('exists %s: %s %s' % (shown, e.status, e.code), e.status == 400)
# Nothing landed under a truncated name, and the batch delete above deleted nothing.
names = sorted(o.key for o in oss2.ObjectIterator(bucket))
check('keys after: %s' % names, names == ['ok.txt'])
check('no object a', not bucket.object_exists('a'))

bucket.put_object('file', b'x')
expect('put below an object', 409, 'ObjectConflict', lambda: bucket.put_object('file/child', b'x'))
expect('copy below an object', 409, 'ObjectConflict', lambda: bucket.copy_object('hostile', 'file', 'file/copy'))
expect('get below an object', 404, 'NoSuchKey', lambda: bucket.get_object('file/child').read())
expect('segment of 300 bytes', 400, 'InvalidObjectName', lambda: bucket.put_object('d/' + 's' * 300, b'x'))
expect('key of 1200 bytes', 400, 'InvalidObjectName', lambda: bucket.put_object('k/' * 600, b'x'))
expect('missing key', 404, 'NoSuchKey', lambda: bucket.get_object('missing').read())
expect('list with a NUL in the prefix', 400, 'InvalidArgument', lambda: bucket.list_objects(prefix='a\x00'))
check('ok.txt intact', bucket.get_object('ok.txt').read() == b'ok')
sys.exit(1 if failed else 0)
