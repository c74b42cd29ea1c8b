"""Multi-object delete bodies written by hand, sent and read back by oss2 2.19 (its own
signing and its own parser for the answer): what XML allows a client to write must delete
exactly the keys it names. Entities, character references, CDATA, attributes, namespaces,
comments and whitespace between elements; a body that is not well-formed, or that declares a
DTD, is refused with MalformedXML and deletes nothing.

Usage: oss_delete_xml.py PORT ACCESS_KEY_ID ACCESS_KEY_SECRET
"""
import sys

import oss2
from oss2 import utils, xml_utils
from oss2.models import BatchDeleteObjectsResult

port, key_id, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bucket = oss2.Bucket(oss2.Auth(key_id, secret), 'http://127.0.0.1:%d' % port, 'xml')
failed = False


def check(what, ok, detail=''):
    global failed
    print(('ok   ' if ok else 'FAIL ') + what + ('' if ok else ' ' + str(detail)))
    failed = failed or not ok


def delete(xml):
    """POST /xml?delete with this body, signed by oss2 with its Content-MD5; the keys oss2 reads from the answer."""
    data = xml.encode('utf-8')
    resp = bucket._Bucket__do_bucket('POST', data=data, params={'delete': ''}, headers={'Content-MD5': utils.content_md5(data)})
    return bucket._parse_result(resp, xml_utils.parse_batch_delete_objects, BatchDeleteObjectsResult).deleted_keys


def names():
    return sorted(o.key for o in oss2.ObjectIterator(bucket))


keys = ['a&b <c>.txt', '\u4e2d\u6587.txt', 'x<y>&z.txt', 'plain.txt', ' spaced key.txt', 'victim.txt', "it's \"quoted\".txt", 'keep.txt']
for key in keys:
    bucket.put_object(key, b'x')
check('objects written', names() == sorted(keys), names())

deleted = delete('''<?xml version="1.0" encoding="UTF-8"?>
<!-- a client's comment before the root -->
<Delete xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <Quiet>false</Quiet>
  <Object>
    <Key>a&amp;b &lt;c&gt;.txt</Key>
  </Object>
  <Object><Key>&#x4e2d;&#25991;.txt</Key></Object>
  <Object><Key><![CDATA[x<y>&z.txt]]></Key></Object>
  <Object id="4"><Key type="name">plain.txt</Key></Object>
  <Object><Key> spaced key.txt</Key></Object>
  <Object><Key>it&apos;s &quot;quoted&quot;.txt</Key></Object>
  <!-- <Object><Key>victim.txt</Key></Object> -->
</Delete>
''')
named = ['a&b <c>.txt', '\u4e2d\u6587.txt', 'x<y>&z.txt', 'plain.txt', ' spaced key.txt', "it's \"quoted\".txt"]
check('deleted the keys named, as oss2 reads the answer', deleted == named, deleted)
check('left the commented-out key and the others', names() == ['keep.txt', 'victim.txt'], names())

deleted = delete('<Delete>\n  <Quiet>\n    true\n  </Quiet>\n  <Object>\n    <Key>victim.txt</Key>\n  </Object>\n</Delete>')
check('Quiet with whitespace around true: no keys listed', deleted == [], deleted)
check('the quiet delete deleted', names() == ['keep.txt'], names())


def refused(what, xml):
    try:
        delete(xml)
        check(what + ': refused', False, 'accepted')
    except oss2.exceptions.ServerError as e:
        check('%s: %s %s' % (what, e.status, e.code), e.status == 400 and e.code == 'MalformedXML' and bool(e.request_id))


refused('unclosed Key', '<Delete><Object><Key>keep.txt</Object></Delete>')
refused('two roots', '<Delete><Object><Key>keep.txt</Key></Object></Delete><Delete/>')
refused('undeclared entity', '<Delete><Object><Key>keep&nbsp;.txt</Key></Object></Delete>')
refused('a DTD with an entity', '<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY k "keep.txt">]><Delete><Object><Key>&k;</Key></Object></Delete>')
refused('a DTD with an external entity',
        '<!DOCTYPE Delete [<!ENTITY k SYSTEM "file:///etc/hostname">]><Delete><Object><Key>&k;</Key></Object></Delete>')
check('nothing deleted by a refused body', names() == ['keep.txt'], names())
sys.exit(1 if failed else 0)
