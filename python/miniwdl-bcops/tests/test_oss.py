"""bcops_miniwdl.oss: the V1 signature (against oss2's own signer), error parsing, listing, and
requests over one kept-alive connection, against a small fake OSS that checks what it is sent."""

import base64
import hashlib
import http.server
import socket
import threading
import time
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

import pytest

from bcops_miniwdl import oss

ID, SECRET = "testid", "testsecret"
DATE = "Sat, 21 Nov 2026 10:00:00 GMT"


# --- the signature ----------------------------------------------------------------------------


def test_vectors_the_engine_checks():
    """Sources/BCAPI/OSSSignature.swift's tests hold these (made with oss2 2.19.1)."""
    assert oss.authorization(ID, SECRET, "GET", "mybucket", "bcscli/logs/stdout.job-1.task.0", {"Date": DATE}) == (
        "OSS testid:u9CWBrtwfRwxnAXd+omXVYi44O0="
    )
    headers = {"Date": DATE, "Content-Type": "text/plain", "Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww==",
               "x-oss-meta-b": "2", "X-OSS-Meta-A": "1"}
    assert oss.authorization(ID, SECRET, "PUT", "mybucket", "a b/ü.txt", headers) == "OSS testid:NgMO7+gmFbSKl0UBIVwuomW2vnw="
    params = {"prefix": "bcscli/", "delimiter": "/", "marker": "", "max-keys": "100", "encoding-type": "url"}
    assert oss.authorization(ID, SECRET, "GET", "mybucket", "", {"Date": DATE}, params) == "OSS testid:Qi/B/DDl2nBOcemI00QqF8pqN3s="
    headers = {"Date": DATE, "Content-Type": "application/xml"}
    assert oss.authorization(ID, SECRET, "POST", "mybucket", "", headers, {"delete": None}) == "OSS testid:SoBjZ+1+msMQOA+MrcKkiINOfTY="


def test_string_to_sign_layout():
    s = oss.string_to_sign(
        "PUT", "/b/k", {"Date": DATE, "Content-MD5": "m", "x-oss-copy-source": "/a/b%20c", "X-Oss-Meta-Z": "z", "Host": "h"}
    )
    assert s == f"PUT\nm\n\n{DATE}\nx-oss-copy-source:/a/b%20c\nx-oss-meta-z:z\n/b/k"
    # x-oss-date, when sent, is the date signed
    assert oss.string_to_sign("GET", "/b/k", {"Date": DATE, "x-oss-date": "D2"}).split("\n")[3] == "D2"


def test_canonical_resource_keeps_the_key_raw_and_only_sub_resources():
    assert oss.canonical_resource("b", "a b/ü+%.txt") == "/b/a b/ü+%.txt"
    assert oss.canonical_resource("b", "", {"prefix": "p", "marker": "m", "max-keys": "5"}) == "/b/"
    assert oss.canonical_resource("b", "k", {"versionId": "v", "acl": None, "prefix": "x"}) == "/b/k?acl&versionId=v"


@pytest.mark.parametrize(
    "method,key,params,headers",
    [
        ("GET", "wdl/germline small.wdl", {}, {}),
        ("HEAD", "dir/ü/ñ+&=?#.txt", {}, {}),
        ("PUT", "out/call-x/rc", {}, {"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==", "Content-Length": "0"}),
        ("PUT", "outputs/x.bam", {}, {"x-oss-copy-source": "/work/call-a/x%20y.bam", "Content-Length": "0"}),
        ("PUT", "k", {}, {"Content-Type": "application/json", "X-Oss-Meta-Owner": "me", "x-oss-meta-a": "1"}),
        ("GET", "", {"prefix": "wd/run 1/", "marker": "wd/run 1/a", "max-keys": "1000"}, {}),
        ("GET", "", {"prefix": "p/", "delimiter": "/", "marker": "", "max-keys": "100"}, {}),
        ("GET", "k", {"versionId": "v1", "response-content-type": "text/plain"}, {}),
        ("POST", "", {"delete": ""}, {"Content-Type": "application/xml", "Content-MD5": "abc=="}),
    ],
)
def test_signs_as_oss2_does(method, key, params, headers):
    oss2 = pytest.importorskip("oss2")
    from oss2.http import Request

    auth = oss2.Auth(ID, SECRET)
    req = Request(method, "http://127.0.0.1:1/x", params=dict(params), headers=dict(headers))
    auth._sign_request(req, "my-bucket", key)
    signed = {k: v for k, v in req.headers.items() if v is not None and k.lower() != "authorization"}
    ours = oss.authorization(ID, SECRET, method, "my-bucket", key, signed, params)
    assert ours == req.headers["authorization"]


def test_http_date_is_the_rfc_1123_form():
    assert oss.http_date(1795255200) == DATE


def test_request_path_encodes_the_key_as_oss_does():
    assert oss.request_path("b", "a b/ü+%&?#.txt") == "/b/a%20b/%C3%BC%2B%25%26%3F%23.txt"
    assert oss.request_path("b", "", {"prefix": "x y+/", "marker": "", "delete": None}) == "/b/?prefix=x%20y%2B%2F&marker=&delete"


# --- errors -----------------------------------------------------------------------------------


def _error_xml(code, message, key=None):
    x = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n  <Code>{code}</Code>\n  <Message>{message}</Message>\n'
    x += "  <RequestId>RID1</RequestId>\n  <HostId>bcops-engine</HostId>\n"
    if key:
        x += f"  <Key>{key}</Key>\n"
    return (x + "</Error>\n").encode()


def test_parse_error_reads_the_xml_body():
    e = oss.parse_error(404, _error_xml("NoSuchKey", "The specified key does not exist.", "a &amp; b"), {"x-oss-request-id": "X"})
    assert isinstance(e, oss.NotFound) and isinstance(e, oss.OssError)
    assert (e.status, e.code, e.message, e.request_id, e.key) == (404, "NoSuchKey", "The specified key does not exist.", "RID1", "a & b")
    assert "NoSuchKey" in str(e)
    e = oss.parse_error(403, _error_xml("RequestTimeTooSkewed", "late"), {})
    assert type(e) is oss.OssError and (e.status, e.code) == (403, "RequestTimeTooSkewed")


def test_parse_error_of_a_head_reads_x_oss_err():
    xml = _error_xml("NoSuchBucket", "The specified bucket does not exist.")
    e = oss.parse_error(404, b"", {"X-Oss-Err": base64.b64encode(xml).decode(), "x-oss-request-id": "R2"})
    assert isinstance(e, oss.NotFound) and e.code == "NoSuchBucket" and e.request_id == "RID1"


def test_parse_error_without_xml():
    e = oss.parse_error(502, b"<html>bad gateway", {"x-oss-request-id": "R3"}, key="k")
    assert (e.status, e.code, e.request_id, e.key) == (502, "", "R3", "k") and "bad gateway" in e.message
    e = oss.parse_error(404, b"", {})
    assert isinstance(e, oss.NotFound) and e.code == "" and e.message == "Not Found"


def test_which_errors_are_transient():
    from bcops_miniwdl import engine

    def err(status, code):
        return oss.parse_error(status, _error_xml(code, "m"), {})

    assert engine._transient(err(500, "InternalError"))
    assert engine._transient(err(503, "ServiceUnavailable"))
    assert engine._transient(err(403, "RequestTimeTooSkewed"))
    assert not engine._transient(err(403, "SignatureDoesNotMatch"))
    assert not engine._transient(err(404, "NoSuchKey"))
    assert not engine._transient(err(400, "InvalidDigest"))
    assert engine._transient(ConnectionRefusedError(111, "refused"))
    assert engine._transient(socket.timeout("timed out"))
    import http.client

    assert engine._transient(http.client.RemoteDisconnected("closed"))
    assert engine._transient(http.client.IncompleteRead(b"x", 10))


# --- listing ----------------------------------------------------------------------------------


def test_parse_list():
    body = b"""<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult><Name>b</Name><Prefix>p/</Prefix><Marker></Marker><MaxKeys>2</MaxKeys><Delimiter></Delimiter>
<IsTruncated>true</IsTruncated><NextMarker>p/b &amp; c</NextMarker>
<Contents><Key>p/a</Key><LastModified>2026-11-21T10:00:00.000Z</LastModified><ETag>"E1"</ETag><Type>Normal</Type><Size>3</Size></Contents>
<Contents><Key>p/b &amp; c</Key><LastModified>2026-11-21T10:00:00.000Z</LastModified><ETag>"E2"</ETag><Size>0</Size></Contents>
<CommonPrefixes><Prefix>p/d/</Prefix></CommonPrefixes>
</ListBucketResult>"""
    r = oss.parse_list(body)
    assert [(o.key, o.etag, o.size) for o in r.object_list] == [("p/a", "E1", 3), ("p/b & c", "E2", 0)]
    assert r.prefix_list == ["p/d/"] and r.is_truncated and r.next_marker == "p/b & c"
    r = oss.parse_list(body.replace(b"<NextMarker>p/b &amp; c</NextMarker>", b""))
    assert r.next_marker == "p/d/"  # no NextMarker: after the last name listed


# --- requests, against a fake OSS ---------------------------------------------------------------


class FakeOSS(http.server.BaseHTTPRequestHandler):
    """Path-style OSS with the engine's checks: the V1 signature (key decoded), Content-MD5."""

    protocol_version = "HTTP/1.1"
    objects: dict = {}
    connections: list = []
    drop_next = False
    close_after_answer = False

    def setup(self):
        super().setup()
        FakeOSS.connections.append(self.client_address)

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if self.command == "HEAD" and status >= 300:
            self.send_header("x-oss-err", base64.b64encode(body).decode())  # HEAD has no body
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if FakeOSS.close_after_answer:  # as a server ending an idle kept-alive connection does
            FakeOSS.close_after_answer = False
            self.close_connection = True

    def _route(self):
        if FakeOSS.drop_next:
            FakeOSS.drop_next = False
            self.close_connection = True
            return
        url = urlsplit(self.path)
        bucket, _, key = unquote(url.path)[1:].partition("/")
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        want = oss.authorization(ID, SECRET, self.command, bucket, key, dict(self.headers.items()), params)
        if self.headers.get("Authorization") != want:
            return self._send(403, _error_xml("SignatureDoesNotMatch", "no"))
        if self.headers.get("Content-MD5") and base64.b64encode(hashlib.md5(body).digest()).decode() != self.headers["Content-MD5"]:
            return self._send(400, _error_xml("InvalidDigest", "md5"))
        if self.command == "GET" and not key:
            names = sorted(k for k in self.objects if k.startswith(params.get("prefix", "")) and k > params.get("marker", ""))
            page = names[: int(params.get("max-keys", "100"))]
            x = "<ListBucketResult><IsTruncated>%s</IsTruncated>" % ("true" if len(page) < len(names) else "false")
            for n in page:
                x += f'<Contents><Key>{escape(n)}</Key><ETag>"{hashlib.md5(self.objects[n]).hexdigest().upper()}"</ETag><Size>{len(self.objects[n])}</Size></Contents>'
            return self._send(200, (x + "</ListBucketResult>").encode(), [("Content-Type", "application/xml")])
        if self.command in ("GET", "HEAD"):
            if key not in self.objects:
                return self._send(404, _error_xml("NoSuchKey", "none", key))
            data = self.objects[key]
            return self._send(200, data, [("ETag", f'"{hashlib.md5(data).hexdigest().upper()}"')])
        if self.command == "PUT":
            source = self.headers.get("x-oss-copy-source")
            if source:
                _, _, skey = unquote(source)[1:].partition("/")
                body = self.objects[skey]
            self.objects[key] = body
            return self._send(200, b"", [("ETag", f'"{hashlib.md5(body).hexdigest().upper()}"')])
        self._send(405, _error_xml("MethodNotAllowed", "no"))

    do_GET = do_HEAD = do_PUT = do_POST = _route


@pytest.fixture
def bucket():
    FakeOSS.objects = {}
    FakeOSS.connections = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeOSS)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    oss._connections.by_address.clear()
    yield oss.Bucket(f"http://127.0.0.1:{server.server_address[1]}", ID, SECRET, "my-bucket")
    server.shutdown()
    server.server_close()
    oss._connections.by_address.clear()


def test_put_get_head_copy_list_over_one_connection(bucket, tmp_path):
    key = "run 1/ü/a+b&c.txt"
    assert bucket.put_object(key, b"hello").etag == hashlib.md5(b"hello").hexdigest().upper()
    assert bucket.get_object(key).read() == b"hello"
    meta = bucket.get_object_meta(key)
    assert (meta.etag, meta.size) == (hashlib.md5(b"hello").hexdigest().upper(), 5)
    big = tmp_path / "big"
    big.write_bytes(bytes(range(256)) * 10000)
    bucket.put_object_from_file("run 1/big", str(big))
    out = tmp_path / "out"
    bucket.get_object_to_file("run 1/big", str(out))
    assert out.read_bytes() == big.read_bytes()
    bucket.copy_object("my-bucket", key, "copies/x y")
    assert bucket.get_object("copies/x y").read() == b"hello"
    assert [o.key for o in bucket.list_all(prefix="run 1/")] == ["run 1/big", key]
    assert [o.key for o in bucket.iter_objects(prefix="", max_keys=1)] == ["copies/x y", "run 1/big", key]
    assert len(FakeOSS.connections) == 1, FakeOSS.connections  # kept alive


def test_errors_are_typed(bucket):
    with pytest.raises(oss.NotFound) as e:
        bucket.get_object("nope")
    assert (e.value.status, e.value.code, e.value.key) == (404, "NoSuchKey", "nope")
    with pytest.raises(oss.NotFound) as e:
        bucket.head_object("nope")
    assert e.value.code == "NoSuchKey"  # from x-oss-err
    assert not bucket.object_exists("nope")
    wrong = oss.Bucket(f"http://{bucket.host}:{bucket.port}", ID, "other", "my-bucket")
    with pytest.raises(oss.OssError) as e:
        wrong.get_object("k")
    assert (e.value.status, e.value.code) == (403, "SignatureDoesNotMatch")
    bucket.put_object("after", b"ok")  # the connection is still usable after error answers
    assert len(FakeOSS.connections) == 1  # one per thread and address, whatever the bucket or key


def test_a_closed_kept_alive_connection_is_replaced(bucket):
    bucket.put_object("k", b"v")
    FakeOSS.drop_next = True  # the server closes the connection without answering
    assert bucket.get_object("k").read() == b"v"  # a GET is sent again, on a new connection
    FakeOSS.drop_next = True
    with pytest.raises((ConnectionError, OSError)):
        bucket.put_object("k", b"w")  # a PUT is not: engine.with_retries decides


def test_an_idle_connection_the_server_closed_is_not_used(bucket):
    FakeOSS.close_after_answer = True
    bucket.put_object("k", b"v")
    time.sleep(0.05)
    bucket.put_object("k", b"w")  # a PUT too: the close is seen before sending
    assert bucket.get_object("k").read() == b"w" and len(FakeOSS.connections) == 2


def test_a_connection_per_thread(bucket):
    bucket.put_object("k", b"v")
    seen = []

    def read():
        seen.append(bucket.get_object("k").read())
        seen.append(bucket.get_object("k").read())

    threads = [threading.Thread(target=read) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [b"v"] * 6 and len(FakeOSS.connections) == 4


def test_without_oss2():
    """Importing the plugin's modules must not import oss2 (its import is what oss.py avoids)."""
    import subprocess
    import sys

    code = "import sys, bcops_miniwdl.runner, bcops_miniwdl.outputs, bcops_miniwdl.download, bcops_miniwdl.cache; print('oss2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
