"""
A finished run's File and Directory outputs, copied to the outputs dir.

Why this layout: a later run must be able to name an output before this run exists -- the seed's
germline run reads the processing run's BAM from ``gatk4_outputs/`` -- so by default an output
goes to its path relative to its call's work directory, as Cromwell's
``use_relative_output_paths`` does (``out-1/1.txt``, ``NA12878.hg38.bam``). Outputs that would
collide (a scattered call writing ``output`` in every shard) go under ``call-<name>/shard-<i>/``
instead of failing the run as Cromwell did; ``use_relative_output_paths: false`` gives Cromwell's
``<workflow>/<run id>/call-<name>/…`` for all. Copies are server-side from the call roots, where
the calls' outputs already are, and uploads only when a call root lacks the file.
"""

import logging
import os
from typing import Any, Dict, List, Optional, Tuple

from . import engine, layout, metadata

log = logging.getLogger("bcops-runner")


def _call_dir_of(path: str) -> Optional[str]:
    """The miniwdl call directory holding ``path`` (the nearest ancestor with a task.log)."""
    d = os.path.dirname(path)
    while d and d != "/":
        if os.path.exists(os.path.join(d, "task.log")):
            return d
        d = os.path.dirname(d)
    return None


def _run_dir_of(call_dir: str) -> str:
    """The top-level run directory of a call directory (the highest ancestor with a workflow.log)."""
    top, d = os.path.dirname(call_dir), os.path.dirname(call_dir)
    while d and d != "/":
        if os.path.exists(os.path.join(d, "workflow.log")):
            top = d
        d = os.path.dirname(d)
    return top


def plan_final_outputs(paths: List[str], relative: bool, workflow: str, run_id: str) -> Dict[str, Tuple[str, Optional[str], Optional[str]]]:
    """
    local path (file or directory) → (destination under the outputs dir, source call root, key
    relative to that root). Relative layout: the path within its call's work directory; paths
    that would collide (and, with ``use_relative_output_paths: false``, all of them) go under
    ``[<workflow>/<run id>/]call-<name>/[shard-<i>/]``, Cromwell's final-outputs layout.
    """
    info = {}
    for p in paths:
        real = os.path.realpath(p)
        call_dir = _call_dir_of(real)
        rel, src_root, call_sub = os.path.basename(real.rstrip("/")), None, ""
        if call_dir:
            r = os.path.relpath(real, os.path.join(call_dir, "work"))
            rel = r if not r.startswith("..") else os.path.relpath(real, call_dir)
            rec = metadata.read_json_file(os.path.join(call_dir, "bcops-call.json")) or {}
            if rec.get("attempts"):
                src_root = rec["attempts"][-1].get("callRoot")
            steps = layout.call_path([workflow] + os.path.relpath(call_dir, _run_dir_of(call_dir)).split(os.sep))
            call_sub = layout.call_dirs(steps)
        info[p] = (rel, src_root, call_sub)
    by_rel: Dict[str, set] = {}
    for p, (rel, _, _) in info.items():
        by_rel.setdefault(rel, set()).add(os.path.realpath(p))
    plan = {}
    for p, (rel, src_root, call_sub) in info.items():
        if relative and len(by_rel[rel]) == 1:
            dest = rel
        elif relative:
            dest = call_sub + rel
        else:
            dest = f"{workflow}/{run_id}/" + call_sub + rel
        plan[p] = (dest, src_root, rel if src_root else None)
    return plan


def _copy_one(local: str, url: str, src: Optional[str]) -> None:
    """Server-side copy from the call root when the call uploaded it there, else an upload."""
    from .outputs import put_file

    if src:
        try:
            sb, sk = layout.split_oss(src)
            db, dk = layout.split_oss(url)
            b = engine.oss_bucket(db)
            engine.with_retries(f"copy to {url}", lambda: b.copy_object(sb, sk, dk), log, 600)
            return
        except Exception:
            pass
    put_file(local, url, log)


def copy_final_outputs(outputs_json: Dict[str, Any], exe, dest_dir: str, relative: bool, workflow: str, run_id: str) -> Dict[str, Any]:
    """Copy the File/Directory outputs to ``dest_dir``; the outputs JSON with OSS URLs in their place."""
    import WDL

    env = WDL.values_from_json(outputs_json, exe.effective_outputs, namespace=exe.name)
    values: List[str] = []

    def collect(v):
        values.append(v.value)
        return v.value

    WDL.Value.rewrite_env_paths(env, collect)
    values = [v for v in dict.fromkeys(values) if os.path.exists(v)]
    plan = plan_final_outputs(values, relative, workflow, run_id)
    dest_dir = layout.as_prefix(dest_dir)
    url_of: Dict[str, str] = {}
    copies: List[Tuple[str, str, Optional[str]]] = []
    for local, (dest, src_root, src_rel) in plan.items():
        if os.path.isdir(local):
            url_of[local] = layout.as_prefix(layout.join(dest_dir, dest))
            for r, _d, fs in os.walk(local):
                for fn in fs:
                    leaf = os.path.join(r, fn)
                    sub = os.path.relpath(leaf, local)
                    src = (src_root + src_rel.rstrip("/") + "/" + sub) if src_root and src_rel else None
                    copies.append((leaf, layout.join(url_of[local], sub), src))
        else:
            url_of[local] = layout.join(dest_dir, dest)
            copies.append((local, url_of[local], (src_root + src_rel) if src_root and src_rel else None))
    # side by side: each is a round trip to OSS, and the runner's end waits for them all
    if len(copies) == 1:
        _copy_one(*copies[0])
    elif copies:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(8, len(copies))) as pool:
            for f in [pool.submit(_copy_one, *c) for c in copies]:
                f.result()

    def to_url(v):
        return url_of.get(v.value, v.value)

    return WDL.values_to_json(WDL.Value.rewrite_env_paths(env, to_url), namespace=exe.name)
