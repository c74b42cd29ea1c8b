"""
Reaching the engine: its address and key pair, the official SDK's client, OSS buckets, and
retrying what a restarting engine makes fail.

Why: every other module talks to the engine, and must do it the same three ways. The address and
key come from ``BCOPS_ENDPOINT`` (on an engine's node, ``BATCH_COMPUTE_OSS_HOST``: the engine's own
listener), ``BCOPS_ACCESS_KEY_ID`` and ``BCOPS_ACCESS_KEY_SECRET`` (the engine gives the runner job
a credential of its own there), else from an engine data directory
(``$BCOPS_DATA``: ``endpoint`` and ``credentials.json``), as bcplan and ``bcctl oss`` find it --
never from a miniwdl cfg file, so that no secret lands in a run directory.

The BatchCompute API goes through the official ``batchcompute`` SDK, told where the engine is with
``Client.register_region('local', host, port)`` (which sets a process-wide port, so it is done
once, under a lock). OSS goes through ``bcops_miniwdl.oss``, a small V1-signing client over
``http.client`` that speaks path style (``/bucket/key``), as the engine's OSS does; not ``oss2``,
whose import alone costs the runner a quarter of a second before a workflow starts (oss.py says
more).

Retries: an engine restarted in the middle of a run keeps its jobs (it adopts running instances),
so a refused or dropped connection is waited out, with backoff, for up to ``engine_down_timeout``
seconds; so are 5xx answers, throttling, and a request dated before the new engine started
(``RequestTimeTooSkewed``). Anything else is the caller's to handle.
"""

import errno
import http.client
import json
import logging
import os
import socket
import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple

_NET_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT, errno.EHOSTDOWN,
               errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EPIPE}
_lock = threading.Lock()
_registered: Optional[Tuple[str, int]] = None


class EngineNotConfigured(RuntimeError):
    pass


def credentials() -> Tuple[str, str, str]:
    """``(endpoint, access key id, access key secret)`` from the environment, else ``$BCOPS_DATA``."""
    endpoint = os.environ.get("BCOPS_ENDPOINT", "").strip()
    key_id = os.environ.get("BCOPS_ACCESS_KEY_ID", "").strip()
    secret = os.environ.get("BCOPS_ACCESS_KEY_SECRET", "").strip()
    data = os.environ.get("BCOPS_DATA", "").strip()
    node_host = os.environ.get("BATCH_COMPUTE_OSS_HOST", "").strip()
    if node_host and not endpoint:
        # On an engine's node: the engine serves BatchCompute and OSS on this one listener.
        endpoint = "http://" + node_host
    if data and not endpoint:
        try:
            with open(os.path.join(data, "endpoint")) as f:
                endpoint = f.read().strip()
        except OSError:
            pass
    if data and not (key_id and secret):
        try:
            with open(os.path.join(data, "credentials.json")) as f:
                keys = json.load(f)
            key_id, secret = keys["AccessKeyId"], keys["AccessKeySecret"]
        except (OSError, ValueError, KeyError):
            pass
    if not (endpoint and key_id and secret):
        raise EngineNotConfigured(
            "no engine configured: set BCOPS_ENDPOINT, BCOPS_ACCESS_KEY_ID and BCOPS_ACCESS_KEY_SECRET "
            "(`eval \"$(bcctl engine credentials --data DIR)\"`), or BCOPS_DATA to the engine's data directory"
        )
    return endpoint.rstrip("/"), key_id, secret


def host_port(endpoint: str) -> Tuple[str, int, bool]:
    scheme, _, rest = endpoint.partition("://")
    hostport = rest.split("/")[0]
    secure = scheme == "https"
    if ":" in hostport:
        host, port = hostport.rsplit(":", 1)
        return host, int(port), secure
    return hostport, 443 if secure else 80, secure


def bc_client():
    """A ``batchcompute.Client`` on the engine (one per thread is fine: it connects per request)."""
    from batchcompute import Client

    global _registered
    endpoint, key_id, secret = credentials()
    host, port, secure = host_port(endpoint)
    with _lock:
        if _registered != (host, port):
            Client.register_region("local", host, port)
            _registered = (host, port)
    return Client(host, key_id, secret, security_conn=secure)


def oss_bucket(bucket: str):
    """An ``oss.Bucket`` on the engine's OSS, path style (one kept-alive connection per thread)."""
    from . import oss

    endpoint, key_id, secret = credentials()
    return oss.Bucket(endpoint, key_id, secret, bucket)


def _transient(exn: BaseException) -> bool:
    """Whether ``exn`` is what an engine being restarted (or briefly overloaded) causes."""
    try:
        from batchcompute.core.exceptions import ClientError
    except ImportError:  # pragma: no cover
        ClientError = ()  # type: ignore
    from .oss import OssError

    if isinstance(exn, (ConnectionError, socket.timeout, http.client.HTTPException, TimeoutError)):
        return True
    if isinstance(exn, OSError) and exn.errno in _NET_ERRNOS:
        return True
    if ClientError and isinstance(exn, ClientError):
        code = str(getattr(exn, "code", "") or "")
        status = getattr(exn, "status", 0) or 0
        return status >= 500 or code.startswith("Throttling") or code in ("InternalError", "ServiceUnavailable", "RequestTimeTooSkewed")
    if isinstance(exn, OssError):  # connection-level failures are the OSError/HTTPException above
        return (exn.status or 0) >= 500 or exn.code in ("RequestTimeTooSkewed", "InternalError")
    return False


def with_retries(
    what: str,
    fn: Callable[[], Any],
    logger: Optional[logging.Logger] = None,
    deadline_s: float = 1800.0,
    should_stop: Optional[Callable[[], bool]] = None,
) -> Any:
    """Call ``fn`` until it succeeds or fails for a reason that is not transient, or ``deadline_s`` passes."""
    start = time.time()
    delay = 0.1
    warned = False
    while True:
        try:
            ans = fn()
            if warned and logger:
                logger.warning(f"{what}: the engine answers again after {time.time() - start:.1f}s")
            return ans
        except Exception as exn:
            if not _transient(exn) or time.time() - start > deadline_s or (should_stop and should_stop()):
                raise
            if logger and not warned:
                logger.warning(f"{what}: engine unreachable ({type(exn).__name__}: {exn}); retrying for up to {deadline_s:.0f}s")
                warned = True
            time.sleep(delay)
            delay = min(delay * 1.5, 5.0)


def env_summary() -> Dict[str, str]:
    endpoint, key_id, _ = credentials()
    return {"endpoint": endpoint, "accessKeyId": key_id}
