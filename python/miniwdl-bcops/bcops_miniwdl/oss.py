"""
The engine's OSS, spoken directly: OSS's V1 signature over ``http.client``, path-style requests
(``/bucket/key``), one keep-alive connection per thread.

Why not ``oss2``: importing it costs 230-270 ms of CPU (``oss2.models`` pulls in pycryptodome and
cffi, then ``requests`` and ``aliyunsdkcore``), and the runner pays that in its main thread before a
workflow starts, to read three small objects (bench/README.md, "Workflows"). What the plugins need
from OSS is small: read an object (into memory, or streamed to a file), write one (from bytes, or
streamed from a file), its ETag and size, a server-side copy, and a listing by prefix. This module is
that, against the engine's OSS (Sources/BCEngine/OSSAPI.swift), which verifies the signature as
Sources/BCAPI/OSSSignature.swift does:

    Authorization: OSS <id>:base64(hmac-sha1(secret, VERB \\n Content-MD5 \\n Content-Type \\n Date \\n
                                              CanonicalizedOSSHeaders CanonicalizedResource))

where the headers are every ``x-oss-*`` header as ``name:value\\n`` sorted by lowercased name, and
the resource is ``/bucket/key`` with the key *not* URL-encoded, followed by the request's
sub-resources (none of the calls here has one). On the wire the key is URL-encoded as OSS does
(``quote(key, safe="/")``), query values fully.

The method names and result shapes are ``oss2.Bucket``'s (``get_object(key).read()``,
``get_object_meta(key).etag``, ``list_objects(...).object_list``), so callers read as before and
ETags come out the same (without their quotes), which keeps download slots and call-cache keys from
earlier runs valid.

Puts carry ``Content-MD5`` (which oss2 does not send): the engine checks the body against it, and
the signature then covers the body, so a captured request cannot carry other content. Only single
puts, no multipart: the engine's OSS takes none.

Errors: an answer other than 2xx raises ``OssError`` (``NotFound`` for 404) with the HTTP status and
OSS's ``Code``, ``Message`` and ``RequestId`` from the XML error body (for HEAD, which has no body,
from the base64 XML in ``x-oss-err``). A refused or dropped connection raises what ``socket`` and
``http.client`` raise (``ConnectionError``, ``OSError``, ``http.client.HTTPException``, timeouts),
untouched: ``engine.with_retries`` tells transient failures apart by those types, the status and
the code.
"""

import base64
import hashlib
import hmac
import http.client
import select
import threading
from email.utils import formatdate
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple
from urllib.parse import quote, urlsplit

# Query keys that are part of the signed resource (OSS's list, as the engine's OSSSignature has it).
SUBRESOURCES = frozenset(
    [
        "acl", "uploadId", "uploads", "partNumber", "delete", "append", "position", "objectMeta", "symlink",
        "tagging", "versionId", "versions", "continuation-token", "stat", "bucketInfo", "location", "restore",
        "security-token", "response-content-type", "response-content-language", "response-cache-control",
        "response-content-encoding", "response-expires", "response-content-disposition", "x-oss-process",
    ]
)
TIMEOUT_S = 30.0  # per connect and per socket read/write, as oss2's connect_timeout was
_CHUNK = 1 << 20


# --- errors ---------------------------------------------------------------------------------


class OssError(Exception):
    """An answer of OSS other than 2xx: HTTP ``status`` and OSS's ``code``, ``message``, ``request_id``."""

    def __init__(self, status: int, code: str = "", message: str = "", request_id: str = "", key: str = ""):
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.key = key
        super().__init__(f"{status} {code or 'error'}: {message}" + (f" (key {key})" if key else ""))


class NotFound(OssError):
    """404: ``NoSuchKey``, ``NoSuchBucket``, or a HEAD of a missing object."""


def parse_error(status: int, body: bytes, headers: Optional[Mapping[str, str]] = None, key: str = "") -> OssError:
    """The ``OssError`` for an answer: its XML ``<Error>`` body, else ``x-oss-err`` (HEAD), else the status alone."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    text = body
    if not text.strip() and headers.get("x-oss-err"):
        try:
            text = base64.b64decode(headers["x-oss-err"])
        except ValueError:
            text = b""
    fields: Dict[str, str] = {}
    if text.strip():
        import xml.etree.ElementTree as ET

        try:
            root = ET.fromstring(text)
            fields = {child.tag: (child.text or "") for child in root}
        except ET.ParseError:
            fields = {"Message": text.decode("utf-8", "replace").strip()[:500]}
    cls = NotFound if status == 404 else OssError
    return cls(
        status,
        fields.get("Code", ""),
        fields.get("Message", "") or http.client.responses.get(status, ""),
        fields.get("RequestId", "") or headers.get("x-oss-request-id", ""),
        fields.get("Key", "") or key,
    )


# --- the signature --------------------------------------------------------------------------


def canonical_resource(bucket: str, key: str, params: Optional[Mapping[str, Optional[str]]] = None) -> str:
    """``/bucket/key`` (key as is, not encoded), then the sub-resources among ``params``, sorted."""
    base = f"/{bucket}/{key}" if bucket else "/"
    subs = sorted((k, v or "") for k, v in (params or {}).items() if k in SUBRESOURCES)
    if not subs:
        return base
    return base + "?" + "&".join(f"{k}={v}" if v else k for k, v in subs)


def string_to_sign(method: str, resource: str, headers: Mapping[str, str]) -> str:
    lower = {k.lower(): str(v) for k, v in headers.items()}
    date = lower.get("x-oss-date") or lower.get("date", "")
    oss_headers = "".join(f"{k}:{v}\n" for k, v in sorted((k, v) for k, v in lower.items() if k.startswith("x-oss-")))
    return "\n".join([method, lower.get("content-md5", ""), lower.get("content-type", ""), date, oss_headers + resource])


def signature(secret: str, method: str, resource: str, headers: Mapping[str, str]) -> str:
    digest = hmac.new(secret.encode(), string_to_sign(method, resource, headers).encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def authorization(key_id: str, secret: str, method: str, bucket: str, key: str, headers: Mapping[str, str],
                  params: Optional[Mapping[str, str]] = None) -> str:
    return f"OSS {key_id}:{signature(secret, method, canonical_resource(bucket, key, params), headers)}"


def http_date(t: Optional[float] = None) -> str:
    """``Sat, 21 Nov 2026 10:00:00 GMT``, whatever the locale."""
    return formatdate(t, usegmt=True)


def request_path(bucket: str, key: str, params: Optional[Mapping[str, Optional[str]]] = None) -> str:
    """The path-style request target: ``/bucket/key`` with the key URL-encoded (``/`` kept), then the
    query, every name and value encoded (a value of None: the name alone, as a bare sub-resource)."""
    path = f"/{bucket}/{quote(key, safe='/')}"
    if params:
        path += "?" + "&".join(quote(k, safe="") + ("" if v is None else "=" + quote(v, safe="")) for k, v in params.items())
    return path


# --- results, in oss2's shapes ----------------------------------------------------------------


def _etag(value: Optional[str]) -> str:
    return (value or "").strip('"')


class ObjectMeta:
    """What HEAD (and a finished GET or PUT) says of an object."""

    def __init__(self, headers: Mapping[str, str]):
        h = {k.lower(): v for k, v in headers.items()}
        self.headers = h
        self.etag = _etag(h.get("etag"))
        try:
            self.content_length: Optional[int] = int(h["content-length"])
        except (KeyError, ValueError):
            self.content_length = None
        self.last_modified = h.get("last-modified", "")

    @property
    def size(self) -> Optional[int]:
        return self.content_length


class GetObjectResult(ObjectMeta):
    """An object read into memory: ``read()`` gives its bytes (as oss2's stream would, once)."""

    def __init__(self, headers: Mapping[str, str], data: bytes):
        super().__init__(headers)
        self.data = data

    def read(self) -> bytes:
        return self.data


class SimplifiedObjectInfo:
    def __init__(self, key: str, etag: str, size: int, last_modified: str = ""):
        self.key = key
        self.etag = etag
        self.size = size
        self.last_modified = last_modified

    def __repr__(self) -> str:
        return f"SimplifiedObjectInfo({self.key!r}, etag={self.etag!r}, size={self.size})"


class ListObjectsResult:
    def __init__(self, object_list: List[SimplifiedObjectInfo], prefix_list: List[str], is_truncated: bool, next_marker: str):
        self.object_list = object_list
        self.prefix_list = prefix_list
        self.is_truncated = is_truncated
        self.next_marker = next_marker


def parse_list(body: bytes) -> ListObjectsResult:
    """A ``ListBucketResult`` (ListObjects v1; keys as they are, not URL-encoded)."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(body)

    def text(node, tag: str) -> str:
        found = node.find(tag)
        return (found.text or "") if found is not None else ""

    objects = []
    for c in root.findall("Contents"):
        try:
            size = int(text(c, "Size") or 0)
        except ValueError:
            size = 0
        objects.append(SimplifiedObjectInfo(text(c, "Key"), _etag(text(c, "ETag")), size, text(c, "LastModified")))
    prefixes = [text(p, "Prefix") for p in root.findall("CommonPrefixes")]
    truncated = text(root, "IsTruncated").strip().lower() == "true"
    next_marker = text(root, "NextMarker")
    if truncated and not next_marker:  # OSS may leave it out: continue after the last name listed
        next_marker = max([o.key for o in objects] + prefixes, default="")
    return ListObjectsResult(objects, prefixes, truncated, next_marker)


# --- connections ------------------------------------------------------------------------------


class _Connections(threading.local):
    def __init__(self):
        self.by_address: Dict[Tuple[str, int, bool], http.client.HTTPConnection] = {}


_connections = _Connections()


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """Whether an idle kept-alive connection was closed by the other end (it reads as ready)."""
    sock = conn.sock
    if sock is None:
        return False
    try:
        p = select.poll()  # not select(): no limit on the descriptor's number
        p.register(sock, select.POLLIN)
        return bool(p.poll(0))
    except (OSError, ValueError):
        return True


def _connection(host: str, port: int, secure: bool) -> Tuple[http.client.HTTPConnection, bool]:
    """This thread's connection to ``host:port``, and whether it has been used before."""
    conns = _connections.by_address
    conn = conns.get((host, port, secure))
    if conn is not None and _dropped(conn):
        conn.close()
    if conn is None:
        cls = http.client.HTTPSConnection if secure else http.client.HTTPConnection
        conn = cls(host, port, timeout=TIMEOUT_S, blocksize=_CHUNK)
        conns[(host, port, secure)] = conn
    return conn, conn.sock is not None


def _discard(conn: http.client.HTTPConnection) -> None:
    conn.close()  # the next request on this thread connects again


# --- the bucket ---------------------------------------------------------------------------------


def _file_md5(path: str) -> Tuple[str, int]:
    md5 = hashlib.md5()
    size = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            md5.update(chunk)
            size += len(chunk)
    return base64.b64encode(md5.digest()).decode(), size


class _Prefix:
    """The first ``size`` bytes of a file, read by ``http.client`` in blocks: never more than the
    Content-Length sent, should the file grow meanwhile (a changed file fails the engine's MD5 check)."""

    def __init__(self, f, size: int):
        self.f = f
        self.size = size
        self.left = size

    def seek(self, pos: int) -> None:
        self.f.seek(pos)
        self.left = self.size - pos

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.f.read(self.left if n is None or n < 0 else min(n, self.left))
        self.left -= len(data)
        return data


class Bucket:
    """One bucket of the engine's OSS (``endpoint`` as ``http://host:port``), path style."""

    def __init__(self, endpoint: str, key_id: str, secret: str, bucket: str):
        url = urlsplit(endpoint if "://" in endpoint else "http://" + endpoint)
        self.secure = url.scheme == "https"
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or (443 if self.secure else 80)
        self.key_id = key_id
        self.secret = secret
        self.bucket_name = bucket

    # The one request every operation makes.
    def _request(self, method: str, key: str, params: Optional[Dict[str, str]] = None,
                 headers: Optional[Dict[str, str]] = None, body: Any = None, sink=None) -> Tuple[int, Dict[str, str], bytes]:
        """Signs and sends one request; ``(status, headers, body)`` of a 2xx answer, else raises ``OssError``.

        With ``sink`` (a binary file), a 2xx body is written there in chunks instead of returned.
        A GET or HEAD that finds its kept-alive connection closed is sent once more on a new one;
        anything else is the caller's to retry (``engine.with_retries``).
        """
        path = request_path(self.bucket_name, key, params)
        for attempt in (0, 1):
            conn, reused = _connection(self.host, self.port, self.secure)
            hdrs = dict(headers or {})
            hdrs["Date"] = http_date()
            hdrs["Authorization"] = authorization(self.key_id, self.secret, method, self.bucket_name, key, hdrs, params)
            if hasattr(body, "seek"):
                body.seek(0)
            try:
                conn.request(method, path, body=body, headers=hdrs)
                resp = conn.getresponse()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                _discard(conn)
                if reused and attempt == 0 and method in ("GET", "HEAD"):
                    continue
                raise
            except BaseException:
                _discard(conn)
                raise
            try:
                rheaders = {k.lower(): v for k, v in resp.getheaders()}
                if method == "HEAD":
                    data = b""
                    resp.read()
                elif 200 <= resp.status < 300 and sink is not None:
                    data = b""
                    while True:
                        chunk = resp.read(_CHUNK)
                        if not chunk:
                            break
                        sink.write(chunk)
                else:
                    data = resp.read()
            except BaseException:
                _discard(conn)
                raise
            if resp.will_close:
                _discard(conn)
            if 200 <= resp.status < 300:
                return resp.status, rheaders, data
            raise parse_error(resp.status, data, rheaders, key)
        raise AssertionError("unreachable")  # pragma: no cover

    # Reads.
    def get_object(self, key: str) -> GetObjectResult:
        _, headers, data = self._request("GET", key)
        return GetObjectResult(headers, data)

    def get_object_to_file(self, key: str, filename: str) -> ObjectMeta:
        """Streams the object into ``filename`` (created or truncated)."""
        with open(filename, "wb") as f:
            _, headers, _ = self._request("GET", key, sink=f)
        return ObjectMeta(headers)

    def head_object(self, key: str) -> ObjectMeta:
        _, headers, _ = self._request("HEAD", key)
        return ObjectMeta(headers)

    get_object_meta = head_object

    def object_exists(self, key: str) -> bool:
        try:
            self.head_object(key)
            return True
        except NotFound:
            return False

    def list_objects(self, prefix: str = "", delimiter: str = "", marker: str = "", max_keys: int = 100) -> ListObjectsResult:
        params = {"prefix": prefix, "marker": marker, "max-keys": str(max_keys)}
        if delimiter:
            params["delimiter"] = delimiter
        _, _, data = self._request("GET", "", params=params)
        return parse_list(data)

    def iter_objects(self, prefix: str = "", delimiter: str = "", max_keys: int = 1000) -> Iterator[SimplifiedObjectInfo]:
        """Every object under ``prefix``, page after page (oss2's ``ObjectIterator``, objects only)."""
        marker = ""
        while True:
            page = self.list_objects(prefix=prefix, delimiter=delimiter, marker=marker, max_keys=max_keys)
            yield from page.object_list
            if not page.is_truncated or not page.next_marker or page.next_marker == marker:
                return
            marker = page.next_marker

    def list_all(self, prefix: str = "") -> List[SimplifiedObjectInfo]:
        return list(self.iter_objects(prefix=prefix))

    # Writes.
    def put_object(self, key: str, data: bytes) -> ObjectMeta:
        if isinstance(data, str):
            data = data.encode("utf-8")
        data = bytes(data)
        md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
        _, headers, _ = self._request("PUT", key, headers={"Content-MD5": md5, "Content-Length": str(len(data))}, body=data)
        return ObjectMeta(headers)

    def put_object_from_file(self, key: str, filename: str) -> ObjectMeta:
        """Streams ``filename`` as the object, after a first pass for its MD5."""
        md5, size = _file_md5(filename)
        with open(filename, "rb") as f:
            body = _Prefix(f, size)
            _, headers, _ = self._request("PUT", key, headers={"Content-MD5": md5, "Content-Length": str(size)}, body=body)
        return ObjectMeta(headers)

    def copy_object(self, source_bucket_name: str, source_key: str, target_key: str) -> ObjectMeta:
        """A server-side copy (``x-oss-copy-source``, which the signature covers as an ``x-oss-`` header)."""
        source = f"/{source_bucket_name}/{quote(source_key, safe='/')}"
        _, headers, _ = self._request("PUT", target_key, headers={"x-oss-copy-source": source, "Content-Length": "0"})
        return ObjectMeta(headers)
