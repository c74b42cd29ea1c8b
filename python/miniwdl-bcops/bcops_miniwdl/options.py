"""
Cromwell's workflow options, as miniwdl configuration for one run.

Why a translation and not a pass-through: the options files users already have (``bcs gen -t
gatk``'s ``{"read_from_cache": false, "default_runtime_attributes": {"autoReleaseJob": true}}``)
speak Cromwell, and the runner runs miniwdl. Options the runner does not use are named, not
silently dropped, so a user can tell.
"""

import json
import os
from typing import Any, Dict, List, Tuple

from . import runtime_attributes


class Usage(Exception):
    """A problem with what the runner was given (exit 2)."""


KNOWN_OPTIONS = {
    "bcs_workflow_tag",
    "default_runtime_attributes",
    "continueOnReturnCode",
    "read_from_cache",
    "write_to_cache",
    "workflow_failure_mode",
    "final_workflow_outputs_dir",
    "use_relative_output_paths",
}


#: miniwdl's default (its example task plugin) and the container backends the runner never uses.
DISABLED_PLUGINS = ["miniwdl_task_omnibus_example:*", "WDL.runtime.backend.*:*"]


def miniwdl_config(options: Dict[str, Any], root: str, run_root: str, run_id: str, working_dir: str, tag: str) -> Tuple[Dict[str, Dict[str, Any]], List[str]]:
    """The miniwdl configuration for a run, from Cromwell's workflow options; and notes to print."""
    notes: List[str] = []
    defaults = dict(options.get("default_runtime_attributes") or {})
    if "continueOnReturnCode" in options and "continueOnReturnCode" not in defaults:
        defaults["continueOnReturnCode"] = options["continueOnReturnCode"]
    try:
        runtime_attributes.parse(defaults)
    except runtime_attributes.RuntimeAttributeError as exn:
        raise Usage(f"options.default_runtime_attributes: {exn}") from None
    read = bool(options.get("read_from_cache", False))
    write = bool(options.get("write_to_cache", False))
    if read or write:
        cache = {"dir": os.path.join(root, "call-cache"), "get": read, "put": write}
    else:
        # the run's own cache: a restarted runner finds the calls its earlier attempt finished
        cache = {"dir": os.path.join(run_root, "call-cache"), "get": True, "put": True}
    mode = options.get("workflow_failure_mode", "NoNewCalls")
    if mode not in ("NoNewCalls", "ContinueWhilePossible"):
        raise Usage(f"options.workflow_failure_mode must be NoNewCalls or ContinueWhilePossible, got {json.dumps(mode)}")
    if mode == "ContinueWhilePossible":
        notes.append("workflow_failure_mode ContinueWhilePossible runs as NoNewCalls (calls already running finish; none start)")
    for k in sorted(options):
        if k not in KNOWN_OPTIONS:
            notes.append(f"workflow option {k} is not used by the bcops runner; ignored")
    cfg = {
        "scheduler": {
            "container_backend": "bcops",
            "task_concurrency": 64,
            "scatter_tag_max": 0,
            "fail_fast": False,
        },
        "file_io": {"root": "/", "output_hardlinks": False},
        "task_runtime": {"defaults": defaults},
        "call_cache": {"backend": "bcops", **cache},
        "download_cache": {"put": False, "get": False},
        # The runner's calls all run on the bcops backend: miniwdl's own container backends
        # would only be imported, by the first call, on the run's critical path (8-15 ms; the
        # docker SDK itself miniwdl imports in any case, bench/README.md "Workflows").
        "plugins": {"disable_patterns": DISABLED_PLUGINS},
        "bcops": {
            "working_dir": working_dir,
            "tag": tag,
            "workflow_id": run_id,
            "download_dir": os.path.join(root, "downloads"),
        },
    }
    return cfg, notes


def cfg_text(cfg: Dict[str, Dict[str, Any]]) -> str:
    lines = []
    for section, values in cfg.items():
        lines.append(f"[{section}]")
        for k, v in values.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, (dict, list)):
                v = json.dumps(v)
            lines.append(f"{k} = {v}")
        lines.append("")
    return "\n".join(lines)
