"""
``oss://`` File and Directory inputs for miniwdl (``miniwdl.plugin.file_download`` and
``directory_download``, scheme ``oss``).

The choice: a download plugin, not the engine's mappings. miniwdl must see every input File on
its own filesystem before a call starts -- it checks that it exists, links it into the call's work
directory, evaluates ``size()``/``read_*()`` over it, and keys the call cache on it -- so an
``oss://`` value has to become a local path in the miniwdl process anyway; an ``InputMapping``
would only make it appear inside the job, after miniwdl needed it (and needs the engine to run as
root). Unlike miniwdl's built-in downloaders, which run a WDL task (here: an engine job) around
``aws s3 cp`` or ``gsutil``, this one downloads in-process (``bcops_miniwdl.oss``, streaming to
the file): no job, no image, no second copy of the credentials.

Downloads are addressed by the object's ETag: ``<download_dir>/<hash of the URI>/<ETag>/<name>``.
An unchanged object is downloaded once and keeps its path (and mtime) across runs, so the call
cache, which keys File inputs by path, hits; a changed object gets a new path, so the cache misses
-- what Cromwell's BCS backend got by hashing File inputs with their OSS ETag.
"""

import hashlib
import os
import tempfile
from typing import Tuple

from . import engine, layout, settings as settings_mod


def _slot(download_dir: str, uri: str, etag: str) -> str:
    h = hashlib.sha256(uri.encode()).hexdigest()[:16]
    return os.path.join(download_dir, h, (etag or "no-etag").strip('"').replace("/", "_"))


def fetch_file(uri: str, download_dir: str, logger=None) -> str:
    """Download ``oss://bucket/key`` (once per ETag) and return the local path."""
    bucket, key = layout.split_oss(uri)
    if not key or key.endswith("/"):
        raise ValueError(f"{uri} names a directory, not a file")
    b = engine.oss_bucket(bucket)
    meta = engine.with_retries(f"head {uri}", lambda: b.get_object_meta(key), logger, 600)
    slot = _slot(download_dir, uri, meta.etag)
    dest = os.path.join(slot, os.path.basename(key))
    if os.path.isfile(dest):
        return dest
    os.makedirs(slot, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=slot, prefix=".part-")
    os.close(fd)
    try:
        engine.with_retries(f"download {uri}", lambda: b.get_object_to_file(key, tmp), logger, 600)
        os.chmod(tmp, 0o644)  # mkstemp made it 0600; calls may run as another user
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dest


def fetch_directory(uri: str, download_dir: str, logger=None) -> str:
    """Download every object under ``oss://bucket/prefix/`` and return the local directory."""
    bucket, prefix = layout.split_oss(layout.as_prefix(uri))
    b = engine.oss_bucket(bucket)
    objects = engine.with_retries(f"list {uri}", lambda: b.list_all(prefix=prefix), logger, 600)
    tag = hashlib.sha256("|".join(f"{o.key}:{o.etag}" for o in objects).encode()).hexdigest()[:32]
    name = os.path.basename(prefix.rstrip("/")) or bucket
    slot = _slot(download_dir, uri, tag)
    dest = os.path.join(slot, name)
    if os.path.isdir(dest):
        return dest
    os.makedirs(slot, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=slot, prefix=".part-")
    for o in objects:
        rel = o.key[len(prefix) :]
        if not rel or rel.endswith("/"):
            continue
        local = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(local), exist_ok=True)
        engine.with_retries(f"download oss://{bucket}/{o.key}", lambda: b.get_object_to_file(o.key, local), logger, 600)
    try:
        os.replace(tmp, dest)
    except OSError:  # another process finished the same download first
        pass
    return dest


def _download_dir(cfg) -> str:
    return settings_mod.load(cfg).download_dir


def oss_file(cfg, logger, uri: str, **kwargs):
    """miniwdl file_download plugin: answers at once with the local file (no download task)."""
    yield {"outputs": {"file": fetch_file(uri, _download_dir(cfg), logger)}}


def oss_directory(cfg, logger, uri: str, **kwargs):
    """miniwdl directory_download plugin for ``oss://bucket/prefix/``."""
    yield {"outputs": {"directory": fetch_directory(uri, _download_dir(cfg), logger)}}


def is_oss(value) -> bool:
    return isinstance(value, str) and value.startswith("oss://")


def split(uri: str) -> Tuple[str, str]:
    return layout.split_oss(uri)
