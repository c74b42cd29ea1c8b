"""Workflow options → miniwdl configuration (bcops_miniwdl.options), the final-outputs layout (final_outputs)."""

import os

import pytest

pytest.importorskip("WDL")

from bcops_miniwdl import final_outputs, options  # noqa: E402


def test_options_to_config(tmp_path):
    cfg, notes = options.miniwdl_config(
        {
            "bcs_workflow_tag": "t",
            "default_runtime_attributes": {"autoReleaseJob": True, "docker": "img:1"},
            "continueOnReturnCode": [0, 1],
            "read_from_cache": True,
            "write_to_cache": True,
            "google_project": "x",
        },
        "/root", "/root/runs/r", "r", "oss://b/wd/", "t",
    )
    assert cfg["scheduler"]["container_backend"] == "bcops" and cfg["scheduler"]["fail_fast"] is False
    assert cfg["task_runtime"]["defaults"] == {"autoReleaseJob": True, "docker": "img:1", "continueOnReturnCode": [0, 1]}
    assert cfg["call_cache"] == {"backend": "bcops", "dir": "/root/call-cache", "get": True, "put": True}
    assert cfg["bcops"]["workflow_id"] == "r" and cfg["bcops"]["working_dir"] == "oss://b/wd/"
    assert notes == ["workflow option google_project is not used by the bcops runner; ignored"]
    assert "WDL.runtime.backend.*:*" in cfg["plugins"]["disable_patterns"]
    text = options.cfg_text(cfg)
    assert "[task_runtime]\ndefaults = {" in text and "fail_fast = false" in text


def test_config_loads_the_bcops_backend_alone(tmp_path):
    """miniwdl's own container backends are disabled (not imported); bcops' backend and task
    plugin, and the call cache, are enabled."""
    import logging

    from WDL.runtime import config

    cfg, _ = options.miniwdl_config({}, str(tmp_path), str(tmp_path / "runs" / "r"), "r", "", "cromwell")
    path = tmp_path / "bcops.cfg"
    path.write_text(options.cfg_text(cfg))
    loader = config.Loader(logging.getLogger("test"), filenames=[str(path)])
    enabled = {g: [p.value for on, p in config.load_all_plugins(loader, g) if on] for g in ("container_backend", "task", "cache_backend")}
    assert enabled["container_backend"] == [v for v in enabled["container_backend"] if not v.startswith("WDL.")]
    assert "bcops_miniwdl.backend:BcsJob" in enabled["container_backend"]
    assert "bcops_miniwdl.outputs:task_plugin" in enabled["task"]
    assert "bcops_miniwdl.cache:BcsCallCache" in enabled["cache_backend"]


def test_no_cache_options_keep_a_run_scoped_cache():
    cfg, _ = options.miniwdl_config({}, "/root", "/root/runs/r", "r", "", "cromwell")
    assert cfg["call_cache"]["dir"] == "/root/runs/r/call-cache" and cfg["call_cache"]["get"] and cfg["call_cache"]["put"]


def test_bad_options_are_usage_errors():
    with pytest.raises(options.Usage, match="cluster"):
        options.miniwdl_config({"default_runtime_attributes": {"cluster": "OnDemand  x y"}}, "/r", "/r/x", "x", "", "c")
    with pytest.raises(options.Usage, match="workflow_failure_mode"):
        options.miniwdl_config({"workflow_failure_mode": "Whatever"}, "/r", "/r/x", "x", "", "c")


def _call(root, name, files):
    d = root / name
    (d / "work").mkdir(parents=True)
    (d / "task.log").write_text("")
    out = []
    for rel in files:
        p = d / "work" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(rel)
        out.append(str(p))
    return out


def test_final_outputs_layout(tmp_path):
    run = tmp_path / "20261206_000000_wf"
    run.mkdir()
    (run / "workflow.log").write_text("")
    a = _call(run, "call-echo-0", ["output"])
    b = _call(run, "call-echo-1", ["output"])
    g = _call(run, "call-globber", ["out-1/1.txt", "out-2/2.txt"])
    plan = final_outputs.plan_final_outputs(a + b + g, True, "wf", "rid")
    assert plan[g[0]][0] == "out-1/1.txt" and plan[g[1]][0] == "out-2/2.txt"
    # colliding names go under Cromwell's call/shard directories
    assert plan[a[0]][0] == "call-echo/shard-0/output" and plan[b[0]][0] == "call-echo/shard-1/output"
    plan = final_outputs.plan_final_outputs(g, False, "wf", "rid")
    assert plan[g[0]][0] == "wf/rid/call-globber/out-1/1.txt"
    assert os.path.isfile(g[0])
