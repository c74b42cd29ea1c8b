"""
The ``[bcops]`` section of miniwdl's configuration, and a call's place in its run.

Why: the backend, the upload plugin and the runner need the same few settings (where call roots
go, the run's tag and id, the default placement) and must compute a call's OSS root the same way.
miniwdl's configuration already reaches every plugin, and takes ``MINIWDL__BCOPS__<KEY>``
environment variables as overrides, so the settings live there rather than in a file of ours.

============================  =================================================  ================
key                           meaning                                            default
============================  =================================================  ================
``working_dir``               OSS prefix of call roots (Cromwell's ``root``)      ``$BCOPS_WORKING_DIR``
``tag``                       path tag and job-name prefix (``bcs_workflow_tag``) ``cromwell``
``workflow_id``               the run id in OSS paths and job names               derived from the run dir
``default_cluster``           placement of calls with no ``cluster`` attribute    ``OnDemand ecs.sn1.medium img-ubuntu``
``default_timeout``           task ``Timeout`` (s) of calls with no ``timeout``   ``86400``
``poll_min`` / ``poll_max``   GetJob backoff, seconds                            ``0.05`` / ``2``
``engine_down_timeout``       how long an unreachable engine is waited out (s)    ``1800``
``honor_auto_release``        delete a call's job after it ends when             ``false``
                              ``autoReleaseJob`` is true (Cromwell's behaviour)
``ignore_docker``             submit no image (Cromwell's ``ignoreDocker``)       ``false``
``upload``                    upload call files to the call roots                ``true``
``download_dir``              where ``oss://`` inputs are downloaded to           ``$BCOPS_WORKFLOW_ROOT/downloads``
============================  =================================================  ================
"""

import os
import tempfile
import uuid
from dataclasses import dataclass
from typing import List, Optional, Sequence

from . import layout, runtime_attributes


@dataclass
class Settings:
    working_dir: str
    tag: str
    workflow_id: Optional[str]
    default_cluster: str
    default_timeout: int
    poll_min: float
    poll_max: float
    engine_down_timeout: float
    honor_auto_release: bool
    ignore_docker: bool
    upload: bool
    download_dir: str


def default_download_dir() -> str:
    root = os.environ.get("BCOPS_WORKFLOW_ROOT", "").strip()
    return os.path.join(root, "downloads") if root else os.path.join(tempfile.gettempdir(), "bcops-miniwdl-downloads")


def load(cfg) -> Settings:
    def get(key, default):
        return cfg.get("bcops", key, default) if cfg is not None else default

    def get_bool(key, default):
        return str(get(key, "true" if default else "false")).strip().lower() in ("1", "true", "yes", "t", "y")

    working_dir = get("working_dir", os.environ.get("BCOPS_WORKING_DIR", "")).strip()
    if working_dir:
        working_dir = layout.as_prefix(working_dir)
    return Settings(
        working_dir=working_dir,
        tag=get("tag", "cromwell").strip() or "cromwell",
        workflow_id=(get("workflow_id", "").strip() or None),
        default_cluster=get("default_cluster", runtime_attributes.DEFAULT_CLUSTER).strip(),
        default_timeout=int(get("default_timeout", "86400")),
        poll_min=float(get("poll_min", "0.05")),
        poll_max=float(get("poll_max", "2")),
        engine_down_timeout=float(get("engine_down_timeout", "1800")),
        honor_auto_release=get_bool("honor_auto_release", False),
        ignore_docker=get_bool("ignore_docker", False),
        upload=get_bool("upload", True),
        download_dir=(get("download_dir", "").strip() or default_download_dir()),
    )


@dataclass
class CallContext:
    """Where one call sits: its workflow, run id, tag and call path, and so its OSS call roots."""

    workflow: str
    workflow_id: str
    tag: str
    working_dir: str
    steps: List[layout.CallStep]

    def call_root(self, attempt: int = 1, tag: Optional[str] = None) -> str:
        if not self.working_dir:
            return ""
        return layout.call_root(self.working_dir, self.workflow, tag or self.tag, self.workflow_id, self.steps, attempt)

    def job_name(self, attempt: int = 1, tag: Optional[str] = None) -> str:
        return layout.job_name(tag or self.tag, self.workflow_id, self.steps, attempt)

    @property
    def fqn(self) -> str:
        return layout.call_fqn(self.workflow, self.steps)

    @property
    def shard_index(self) -> int:
        return layout.shard_index(self.steps)


def call_context(settings: Settings, run_id_stack: Sequence[str], run_dir: str) -> CallContext:
    """
    The context of the call miniwdl runs in ``run_dir`` with run-id stack ``run_id_stack``
    (``[workflow, call-…, …]``). Without a configured ``workflow_id`` (a plain ``miniwdl run``),
    the run id is derived from the top-level run directory, so every call of a run agrees on it.
    """
    stack = list(run_id_stack) or [os.path.basename(run_dir.rstrip("/"))]
    top = os.path.abspath(run_dir)
    for _ in range(len(stack) - 1):
        top = os.path.dirname(top)
    workflow_id = settings.workflow_id or str(uuid.uuid5(uuid.NAMESPACE_URL, "bcops:miniwdl-run-dir:" + top))
    steps = layout.call_path(stack) if len(stack) > 1 else [layout.CallStep(stack[0])]
    workflow = stack[0] if len(stack) > 1 else stack[0]
    return CallContext(workflow=workflow, workflow_id=workflow_id, tag=settings.tag, working_dir=settings.working_dir, steps=steps)
