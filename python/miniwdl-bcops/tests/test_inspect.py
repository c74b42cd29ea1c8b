"""Plan-time inspection (bcops_miniwdl.inspect), on WDL written here."""

import json
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("WDL")

from bcops_miniwdl.inspect import inspect  # noqa: E402

MAIN = textwrap.dedent(
    """\
    version 1.0
    import "lib/tasks.wdl" as lib

    workflow wf {
      input {
        File ref
        Int n = 3
        Array[String] names = ["a"]
      }
      call lib.greet { input: name = "x" }
      output { File out = greet.out }
    }
    """
)
LIB = textwrap.dedent(
    """\
    version 1.0
    import "more.wdl"

    task greet {
      input { String name }
      command <<< echo hi ~{name} > out.txt >>>
      output { File out = "out.txt" }
      runtime {
        clustr: "OnDemand ecs.sn1.medium img-ubuntu"
        memory: "4 GB"
        cpu: 2
        docker: "ubuntu:22.04"
        systemDisk: "cloud"
      }
    }
    """
)
MORE = textwrap.dedent(
    """\
    version 1.0
    task noop {
      command <<< true >>>
      runtime { memory: "1 GB" }
    }
    """
)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "main.wdl").write_text(MAIN)
    (tmp_path / "lib" / "tasks.wdl").write_text(LIB)
    (tmp_path / "lib" / "more.wdl").write_text(MORE)
    return tmp_path


def test_inputs_imports_and_runtime(tree):
    out = inspect(str(tree / "main.wdl"))
    assert out["workflow"] == "wf" and out["wdlVersion"] == "1.0"
    assert out["imports"] == ["lib/tasks.wdl", "lib/more.wdl"]
    assert out["inputs"]["wf.ref"] == {"type": "File", "required": True, "default": None}
    assert out["inputs"]["wf.n"] == {"type": "Int", "required": False, "default": "3"}
    assert out["problems"] == []
    warnings = {(w["task"], w["key"]): w for w in out["runtimeWarnings"]}
    assert warnings[("greet", "clustr")]["message"] == 'unknown runtime key "clustr"; did you mean "cluster"?'
    assert warnings[("greet", "clustr")]["file"] == "lib/tasks.wdl" and warnings[("greet", "clustr")]["line"] == 9
    assert "must be \"<type> <GB>\"" in warnings[("greet", "systemDisk")]["message"]
    assert out["ignoredRuntimeKeys"] == {"memory": ["greet", "noop"], "cpu": ["greet"]}
    greet = [t for t in out["tasks"] if t["name"] == "greet"][0]
    assert greet["docker"] == "ubuntu:22.04"


def test_input_problems(tree):
    out = inspect(str(tree / "main.wdl"), {"wf.n": "three", "wf.nmes": ["b"], "wf.names": ["ok"], "#comment": 1})
    kinds = {(p["kind"], p["input"]) for p in out["problems"]}
    assert kinds == {("type", "wf.n"), ("unknown", "wf.nmes"), ("missing", "wf.ref")}
    by = {p["kind"]: p for p in out["problems"]}
    assert by["unknown"]["message"] == 'unknown input "wf.nmes"; did you mean "wf.names"?'
    assert by["missing"]["line"] == 6 and by["missing"]["file"] == "main.wdl"
    assert by["type"]["line"] == 7
    # a present but mistyped required input is a type problem, not also a missing one
    out = inspect(str(tree / "main.wdl"), {"wf.ref": 5})
    assert [(p["kind"], p["input"]) for p in out["problems"]] == [("type", "wf.ref")]


def test_syntax_errors(tmp_path):
    (tmp_path / "bad.wdl").write_text("version 1.0\nworkflow w {\n  call t\n}\ntask t {\n  output { Int x = }\n}\n")
    out = inspect(str(tmp_path / "bad.wdl"))
    assert out["workflow"] is None
    [p] = out["problems"]
    assert p["kind"] == "syntax" and p["line"] == 6 and "\n" not in p["message"]
    (tmp_path / "imp.wdl").write_text('version 1.0\nimport "missing.wdl"\nworkflow w {}\n')
    [p] = inspect(str(tmp_path / "imp.wdl"))["problems"]
    assert p["kind"] == "syntax" and p["line"] == 2 and "missing.wdl" in p["message"]
    (tmp_path / "val.wdl").write_text("version 1.0\nworkflow w {\n  Int x = y\n}\n")
    [p] = inspect(str(tmp_path / "val.wdl"))["problems"]
    assert p["kind"] == "syntax" and p["line"] == 3


def test_cli_exit_codes(tree, tmp_path):
    (tmp_path / "in.json").write_text(json.dumps({"wf.ref": 5}))
    r = subprocess.run([sys.executable, "-m", "bcops_miniwdl.inspect", str(tree / "main.wdl"), "--inputs", str(tmp_path / "in.json")], capture_output=True, text=True)
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["workflow"] == "wf"
    r = subprocess.run([sys.executable, "-m", "bcops_miniwdl.inspect", str(tmp_path / "nope.wdl")], capture_output=True, text=True)
    assert r.returncode == 1 and "no such file" in r.stderr
