"""
Where things go: Cromwell's BatchCompute layout on OSS, job names, run ids.

Why it matters: the seed's "3. 查看运行结果" shows users (and their scripts) looking for a call's
files at ``<root>/<workflow>/<tag>/<workflow id>/call-<name>/{script,worker,rc,stdout,stderr,
bcs-stdout/,bcs-stderr/,<outputs>}``. miniwdl lays its run directory out differently
(``call-<name>-<index>/``, ``stdout.txt``), so the backend and the upload plugin translate
through the functions here, and ``bcctl`` finds the same paths by the same rules:

- call root: ``<working dir><workflow>/<tag>/<run id>/call-<name>/`` + ``shard-<i>/`` inside a
  scatter (one per nesting level) + ``attempt-<n>/`` for retries n ≥ 2 (Cromwell's
  ``BcsJobPaths``). A call inside a sub-workflow nests under the sub-workflow's call:
  ``call-<sub>/[shard-<i>/]call-<task>/…`` (Cromwell adds ``<sub workflow>/<sub id>/`` between;
  we leave those out, there is no separate sub-workflow id here).
- job name: ``<tag>_<first 8 of the run id>_<call>`` with ``_<shard>`` appended inside a scatter
  and ``_attempt<n>`` for retries; characters outside ``[A-Za-z0-9_-]`` become ``_``
  (BatchCompute's rule, as Cromwell did).
- run id: a UUID. The runner derives it from its own engine job id, so a restarted runner job
  keeps its run id and its OSS paths: ``uuid5(NAMESPACE_URL, "bcops:workflow-run:" + job id)``.
- metadata: ``<outputs dir><workflow>.<run id>.metadata.json``, flat beside the final outputs
  (the seed's "查看 metadata 文件: bcs o ls <OUTPUTS_DIR>"), one per run, so that runs sharing an
  outputs dir (the seed's GATK pair) do not overwrite each other's.
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

RUN_ID_NAMESPACE = "bcops:workflow-run:"


@dataclass
class CallStep:
    """One level of a call path: the call's name and its scatter indices (outermost first)."""

    name: str
    shards: List[int] = field(default_factory=list)


def split_oss(url: str) -> Tuple[str, str]:
    """``oss://bucket/key`` → ``("bucket", "key")`` (key may be empty or end with ``/``)."""
    if not url.startswith("oss://"):
        raise ValueError(f"not an oss:// URL: {url}")
    rest = url[len("oss://") :]
    bucket, _, key = rest.partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {url}")
    return bucket, key


def join(prefix: str, *parts: str) -> str:
    """Join OSS path parts with single slashes, keeping a trailing slash on the last part."""
    out = prefix
    for p in parts:
        if not p:
            continue
        out = out.rstrip("/") + "/" + p.lstrip("/")
    return out


def as_prefix(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def sanitize(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def short_id(run_id: str) -> str:
    return run_id.replace("-", "")[:8]


def run_id_for_job(job_id: Optional[str]) -> str:
    """The run id of the runner job ``job_id`` (stable across restarts of that job); random without one."""
    if job_id:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, RUN_ID_NAMESPACE + job_id))
    return str(uuid.uuid4())


def parse_call_run_id(run_id: str) -> CallStep:
    """
    miniwdl's run id of a call (``call-echo``, ``call-echo-2``, ``call-echo-0-1`` in nested
    scatters, ``call-echo-1-alice`` with a scatter tag) → the call's name and shard indices.
    WDL identifiers hold no ``-``, and scatter tags are ``[0-9A-Za-z_]``, so the name is the first
    token and indices are the all-digit tokens that follow one another or a tag. An all-digit tag
    is read as an index: run with ``[scheduler] scatter_tag_max = 0`` (the runner does) to avoid it.
    """
    body = run_id[len("call-") :] if run_id.startswith("call-") else run_id
    tokens = body.split("-")
    name = tokens[0]
    shards = [int(tok) for tok in tokens[1:] if tok.isdigit()]  # the others are scatter tags
    return CallStep(name, shards)


def call_path(run_id_stack: Sequence[str]) -> List[CallStep]:
    """The call path of a task from miniwdl's run-id stack ``[workflow, call-…, …, call-…]``."""
    return [parse_call_run_id(r) for r in run_id_stack[1:]]


def call_dirs(steps: Sequence[CallStep]) -> str:
    """``call-a/shard-0/call-b/`` for a call path."""
    out = ""
    for s in steps:
        out += f"call-{s.name}/" + "".join(f"shard-{i}/" for i in s.shards)
    return out


def workflow_root(working_dir: str, workflow: str, tag: str, run_id: str) -> str:
    return join(as_prefix(working_dir), f"{workflow}/{tag}/{run_id}/")


def call_root(working_dir: str, workflow: str, tag: str, run_id: str, steps: Sequence[CallStep], attempt: int = 1) -> str:
    root = join(workflow_root(working_dir, workflow, tag, run_id), call_dirs(steps))
    if attempt >= 2:
        root = join(root, f"attempt-{attempt}/")
    return root


def job_name(tag: str, run_id: str, steps: Sequence[CallStep], attempt: int = 1) -> str:
    """``<tag>_<short run id>_<call>[_<shard>…][_attempt<n>]``, BatchCompute-safe."""
    last = steps[-1] if steps else CallStep("call")
    parts = [tag or "cromwell", short_id(run_id), last.name] + [str(i) for s in steps for i in s.shards]
    if attempt >= 2:
        parts.append(f"attempt{attempt}")
    name = sanitize("_".join(parts))
    if name[:1].isdigit():
        name = "_" + name
    return name[:128]


def call_fqn(workflow: str, steps: Sequence[CallStep]) -> str:
    """The metadata key of a call: ``wf.call`` (``wf.sub.call`` inside a sub-workflow)."""
    return ".".join([workflow] + [s.name for s in steps])


def shard_index(steps: Sequence[CallStep]) -> int:
    """Cromwell's ``shardIndex``: the innermost scatter index, -1 outside any scatter."""
    for s in reversed(steps):
        if s.shards:
            return s.shards[-1]
    return -1


def metadata_url(outputs_dir: str, workflow: str, run_id: str) -> str:
    return join(as_prefix(outputs_dir), f"{workflow}.{run_id}.metadata.json")
