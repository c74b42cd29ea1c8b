"""
Plan-time view of a WDL workflow, for bcplan: ``python -m bcops_miniwdl.inspect FILE.wdl
[--inputs inputs.json]`` prints one JSON object and exits 0, also when it found problems (1 only
for an internal error, such as an unreadable file).

Why a separate entry point: the plan reads the WDL with miniwdl's own parser (the one that will
run it), so that what the plan reports missing, unknown or mistyped is exactly what the run
would refuse; and the plan must not need an engine or OSS for that. The output::

    {"workflow": "wf",                       # the workflow's name (or the sole task's)
     "wdlVersion": "1.0",
     "imports": ["lib/tasks.wdl", …],         # relative to FILE's directory, recursively
     "inputs": {"wf.x": {"type": "File", "required": true, "default": null}, …},
     "problems": [{"kind": "missing"|"unknown"|"type"|"syntax", "input": "wf.x"|null,
                   "message": "…", "file": "…", "line": N, "column": M}, …],
     "runtimeWarnings": [{"task": "t", "key": "clustr", "file", "line", "column",
                          "message": "unknown runtime key \\"clustr\\"; did you mean \\"cluster\\"?"}, …],
     "ignoredRuntimeKeys": {"memory": ["t1", "t2"], …},   # Google-only keys, said once per run
     "tasks": [{"name": "t", "file", "line", "docker": "img" | null, "runtimeKeys": [...]}, …]}

``line``/``column`` are 1-based positions in ``file`` (relative to FILE's directory); a problem
about an input points at the input's declaration, or is absent for keys the WDL does not have.
``runtimeWarnings`` also holds constant runtime values that Cromwell's BCS syntax refuses
(``cluster: "OnDemand  ecs.sn1.medium img-ubuntu"``), with the same messages as the run.
"""

import argparse
import difflib
import json
import os
import sys
from typing import Any, Dict, List, Optional

from . import runtime_attributes


def _rel(path: Optional[str], base: str) -> Optional[str]:
    if not path:
        return None
    try:
        return os.path.relpath(path, base)
    except ValueError:
        return path


def _pos(pos, base: str) -> Dict[str, Any]:
    if pos is None:
        return {}
    return {"file": _rel(getattr(pos, "abspath", None) or getattr(pos, "uri", None), base), "line": pos.line, "column": pos.column}


def _imports(doc, base: str, seen: Optional[set] = None) -> List[str]:
    seen = seen if seen is not None else set()
    out = []
    for imp in doc.imports:
        sub = imp.doc
        if sub is None:
            continue
        path = _rel(sub.pos.abspath, base)
        if path not in seen:
            seen.add(path)
            out.append(path)
            out.extend(_imports(sub, base, seen))
    return out


def _all_tasks(doc, seen: Optional[set] = None):
    seen = seen if seen is not None else set()
    if id(doc) in seen:
        return
    seen.add(id(doc))
    for t in doc.tasks:
        yield t
    for imp in doc.imports:
        if imp.doc is not None:
            yield from _all_tasks(imp.doc, seen)


def _constant(expr) -> Any:
    """The value of a runtime expression that needs no inputs, as JSON; or raise."""
    import WDL

    return expr.eval(WDL.Env.Bindings(), stdlib=None).json


def _syntax_problems(exn, base: str) -> List[Dict[str, Any]]:
    import WDL

    if isinstance(exn, WDL.Error.MultipleValidationErrors):
        out = []
        for e in exn.exceptions:
            out.extend(_syntax_problems(e, base))
        return out
    msg = str(exn)
    if isinstance(exn, WDL.Error.ImportError) and exn.__cause__ is not None:
        cause = exn.__cause__
        inner = _syntax_problems(cause, base) if isinstance(cause, (WDL.Error.SyntaxError, WDL.Error.ValidationError, WDL.Error.MultipleValidationErrors, WDL.Error.ImportError)) else []
        if inner:
            return inner
        msg = f"{msg}: {cause.strerror if isinstance(cause, OSError) and cause.strerror else cause}"
    if isinstance(exn, WDL.Error.SyntaxError):
        msg = msg.strip().splitlines()[0] if msg.strip() else "syntax error"  # lark lists every expected token after
    p = {"kind": "syntax", "input": None, "message": msg}
    p.update(_pos(getattr(exn, "pos", None), base))
    return [p]


def inspect(path: str, inputs: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    import WDL

    base = os.path.dirname(os.path.abspath(path))
    out: Dict[str, Any] = {
        "workflow": None,
        "wdlVersion": None,
        "imports": [],
        "inputs": {},
        "problems": [],
        "runtimeWarnings": [],
        "ignoredRuntimeKeys": {},
        "tasks": [],
    }
    try:
        doc = WDL.load(os.path.abspath(path))
    except (WDL.Error.SyntaxError, WDL.Error.ValidationError, WDL.Error.MultipleValidationErrors, WDL.Error.ImportError) as exn:
        out["problems"] = _syntax_problems(exn, base)
        return out
    out["wdlVersion"] = doc.wdl_version
    out["imports"] = _imports(doc, base)
    exe = doc.workflow or (doc.tasks[0] if len(doc.tasks) == 1 else None)
    if exe is None:
        out["problems"].append({"kind": "syntax", "input": None, "message": "the WDL has no workflow (and not exactly one task)", "file": _rel(doc.pos.abspath, base), "line": 1, "column": 1})
        return out
    out["workflow"] = exe.name

    # inputs
    decls = {}
    for b in exe.available_inputs:
        key = f"{exe.name}.{b.name}"
        decl = b.value
        decls[key] = (b.name, decl)
        out["inputs"][key] = {
            "type": str(decl.type),
            "required": b.name in exe.required_inputs,
            "default": str(decl.expr) if decl.expr is not None else None,
        }
    if inputs is not None:
        given = set()
        for key, value in inputs.items():
            if key.startswith("#"):
                continue
            try:
                bound = WDL.values_from_json({key: value}, exe.available_inputs, namespace=exe.name)
                given.update(b.name for b in bound)
            except WDL.Error.InputError as exn:
                msg = str(exn)
                if msg.startswith("unknown input/output"):
                    guess = difflib.get_close_matches(key, list(decls), n=1, cutoff=0.75)
                    out["problems"].append(
                        {
                            "kind": "unknown",
                            "input": key,
                            "message": f"unknown input \"{key}\"" + (f"; did you mean \"{guess[0]}\"?" if guess else f"; {exe.name} has no such input"),
                        }
                    )
                else:
                    full = key if key.startswith(exe.name + ".") else f"{exe.name}.{key}"
                    given.add(full[len(exe.name) + 1 :])  # present, if mistyped: not also "missing"
                    p = {"kind": "type", "input": full, "message": f"input \"{key}\" ({out['inputs'].get(full, {}).get('type', '?')}): {msg}"}
                    if full in decls:
                        p.update(_pos(decls[full][1].pos, base))
                    out["problems"].append(p)
        for b in exe.required_inputs:
            if b.name not in given:
                key = f"{exe.name}.{b.name}"
                p = {"kind": "missing", "input": key, "message": f"missing required input \"{key}\" ({b.value.type})"}
                p.update(_pos(b.value.pos, base))
                out["problems"].append(p)

    # runtime sections
    ignored: Dict[str, List[str]] = {}
    for task in _all_tasks(doc):
        info = {"name": task.name, **_pos(task.pos, base), "docker": None, "runtimeKeys": sorted(task.runtime)}
        for key, expr in task.runtime.items():
            if key in runtime_attributes.GOOGLE_ONLY_KEYS:
                ignored.setdefault(key, [])
                if task.name not in ignored[key]:
                    ignored[key].append(task.name)
                continue
            msg = runtime_attributes.key_warning(key)
            if msg:
                w = {"task": task.name, "key": key, "message": msg}
                w.update(_pos(expr.pos, base))
                out["runtimeWarnings"].append(w)
                continue
            try:
                value = _constant(expr)
            except Exception:
                continue  # depends on inputs: checked when the call runs
            if key in ("docker", "container"):
                info["docker"] = value if isinstance(value, str) else json.dumps(value)
            if key in runtime_attributes.BCS_KEYS:
                try:
                    runtime_attributes.parse({key: value})
                except runtime_attributes.RuntimeAttributeError as exn:
                    w = {"task": task.name, "key": key, "message": "; ".join(m for _, m in exn.problems)}
                    w.update(_pos(expr.pos, base))
                    out["runtimeWarnings"].append(w)
        out["tasks"].append(info)
    out["ignoredRuntimeKeys"] = ignored
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bcops_miniwdl.inspect", description="Plan-time view of a WDL workflow (JSON on stdout).")
    ap.add_argument("wdl")
    ap.add_argument("--inputs", help="Cromwell-style inputs JSON to check against the workflow")
    args = ap.parse_args(argv)
    try:
        if not os.path.isfile(args.wdl):
            raise OSError(f"{args.wdl}: no such file")
        inputs = None
        if args.inputs:
            with open(args.inputs) as f:
                text = f.read()
            inputs = json.loads(text) if text.strip() else {}
            if not isinstance(inputs, dict):
                raise ValueError(f"{args.inputs} must hold a JSON object")
        result = inspect(args.wdl, inputs)
    except Exception as exn:
        print(f"inspect: {type(exn).__name__}: {exn}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
