"""
``bcops`` call-cache backend (``miniwdl.plugin.cache_backend``; ``[call_cache] backend = bcops``):
miniwdl's own directory cache, with the key extended to Cromwell's BCS hit conditions.

Why: miniwdl keys a call on its task's source digest and its inputs, where an ``oss://`` File
input is its URI -- and it skips such URIs when it checks an entry's files for changes. So an
object overwritten in OSS would still hit, and so would a call whose ``docker``/``imageId``/
``userData``/``continueOnReturnCode``/``failOnStderr``/``isv`` changed through the workflow
options' ``default_runtime_attributes`` (which become miniwdl's ``[task_runtime] defaults``,
outside the task's source). Cromwell's BCS backend misses on both: it hashes File inputs by
their OSS ETag and counts those runtime attributes. This backend appends to miniwdl's key a
digest of (a) the ETag of every ``oss://`` value in the inputs and (b) those attributes among the
configured runtime defaults. (Attributes written in the task's runtime section, or given as
inputs, are in miniwdl's key already.)

A hit reuses the earlier call's outputs where they are -- Cromwell's ``duplication-strategy =
"reference"`` -- nothing is copied.
"""

import base64
import hashlib
import json
import threading
from typing import Dict

from WDL import Value
from WDL.runtime.cache import CallCache

from . import engine, layout, runtime_attributes


class BcsCallCache(CallCache):
    def __init__(self, cfg, logger):
        super().__init__(cfg, logger)
        defaults = cfg.get_dict("task_runtime", "defaults") if cfg.has_option("task_runtime", "defaults") else {}
        self._runtime_salt = runtime_attributes.cache_subset(defaults)
        self._etags: Dict[str, str] = {}
        self._salted_keys: Dict[str, str] = {}
        self._etag_lock = threading.Lock()

    def _etag(self, uri: str) -> str:
        with self._etag_lock:
            if uri in self._etags:
                return self._etags[uri]
        bucket, key = layout.split_oss(uri)
        b = engine.oss_bucket(bucket)
        try:
            if key.endswith("/") or not key:
                objs = engine.with_retries(f"list {uri}", lambda: b.list_all(prefix=key), self._logger, 600)
                etag = hashlib.sha256("|".join(f"{o.key}:{o.etag}" for o in objs).encode()).hexdigest()
            else:
                etag = engine.with_retries(f"head {uri}", lambda: b.get_object_meta(key), self._logger, 600).etag
        except Exception as exn:  # a missing object: no hit can be right
            etag = f"unreadable:{type(exn).__name__}"
        with self._etag_lock:
            self._etags[uri] = etag
        return etag

    def _salted(self, key: str, inputs) -> str:
        uris = set()

        def visit(v):
            if isinstance(v.value, str) and v.value.startswith("oss://"):
                uris.add(v.value)
            return v.value

        Value.rewrite_env_paths(inputs, visit)
        if not uris and not self._runtime_salt:
            return key
        material = json.dumps(
            {"runtime": self._runtime_salt, "etags": {u: self._etag(u) for u in sorted(uris)}},
            sort_keys=True,
            separators=(",", ":"),
        )
        salt = base64.b32encode(hashlib.sha256(material.encode()).digest()[:10]).decode().lower()
        salted = f"{key}-bcs{salt}"
        self._salted_keys[key] = salted
        return salted

    def get(self, key, inputs, output_types):
        return super().get(self._salted(key, inputs), inputs, output_types)

    def put(self, key, outputs, run_dir=None, *, inputs, add_paths):
        return super().put(self._salted(key, inputs), outputs, run_dir, inputs=inputs, add_paths=add_paths)

    def get_add_paths(self, key):
        return super().get_add_paths(self._salted_keys.get(key, key))
