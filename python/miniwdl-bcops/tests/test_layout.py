"""Cromwell's OSS layout and job names (bcops_miniwdl.layout, settings.call_context)."""

import uuid

from bcops_miniwdl import layout, settings
from bcops_miniwdl.layout import CallStep

RUN = "15e45adf-6dc7-4727-850c-89545faf81b0"


def test_parse_call_run_id():
    assert layout.parse_call_run_id("call-echo") == CallStep("echo", [])
    assert layout.parse_call_run_id("call-write_file-2") == CallStep("write_file", [2])
    assert layout.parse_call_run_id("call-write_file-07") == CallStep("write_file", [7])
    assert layout.parse_call_run_id("call-inner-0-1") == CallStep("inner", [0, 1])
    assert layout.parse_call_run_id("call-write_file-1-alice") == CallStep("write_file", [1])


def test_call_roots_match_the_seed_tree():
    wd = "oss://bucket/cromwell_dir/"
    assert layout.workflow_root(wd, "workflowname", "tagname", RUN) == f"oss://bucket/cromwell_dir/workflowname/tagname/{RUN}/"
    assert layout.call_root(wd, "wf", "tag", RUN, [CallStep("echo1")]) == f"oss://bucket/cromwell_dir/wf/tag/{RUN}/call-echo1/"
    assert layout.call_root(wd, "wf", "tag", RUN, [CallStep("echo", [3])]) == f"oss://bucket/cromwell_dir/wf/tag/{RUN}/call-echo/shard-3/"
    assert layout.call_root(wd, "wf", "tag", RUN, [CallStep("echo", [3])], attempt=2) == f"oss://bucket/cromwell_dir/wf/tag/{RUN}/call-echo/shard-3/attempt-2/"
    assert layout.call_root("oss://b/w", "wf", "t", RUN, [CallStep("sub", [1]), CallStep("task", [0])]) == f"oss://b/w/wf/t/{RUN}/call-sub/shard-1/call-task/shard-0/"


def test_job_names():
    assert layout.job_name("gatk-job", RUN, [CallStep("HaplotypeCaller")]) == "gatk-job_15e45adf_HaplotypeCaller"
    assert layout.job_name("", RUN, [CallStep("echo", [2])], attempt=3) == "cromwell_15e45adf_echo_2_attempt3"
    assert layout.job_name("my tag.v2", RUN, [CallStep("x")]) == "my_tag_v2_15e45adf_x"
    assert layout.job_name("2024", RUN, [CallStep("x")]).startswith("_2024_")


def test_oss_helpers_and_ids():
    assert layout.split_oss("oss://bucket/a/b.txt") == ("bucket", "a/b.txt")
    assert layout.split_oss("oss://bucket") == ("bucket", "")
    assert layout.join("oss://b/dir", "x/", "y.txt") == "oss://b/dir/x/y.txt"
    assert layout.join("oss://b/dir/", "sub/") == "oss://b/dir/sub/"
    a, b = layout.run_id_for_job("job-000000006B1552810000000000000001"), layout.run_id_for_job("job-000000006B1552810000000000000001")
    assert a == b and uuid.UUID(a).version == 5
    assert layout.run_id_for_job(None) != layout.run_id_for_job(None)
    assert layout.metadata_url("oss://b/out", "wf", RUN) == f"oss://b/out/wf.{RUN}.metadata.json"
    assert layout.call_fqn("wf", [CallStep("sub"), CallStep("t", [1])]) == "wf.sub.t"
    assert layout.shard_index([CallStep("t")]) == -1
    assert layout.shard_index([CallStep("t", [0, 4])]) == 4


def test_call_context(tmp_path):
    s = settings.load(None)
    s.working_dir, s.tag, s.workflow_id = "oss://b/wd/", "t", RUN
    ctx = settings.call_context(s, ["wf", "call-echo-1"], str(tmp_path / "run" / "call-echo-1"))
    assert ctx.fqn == "wf.echo" and ctx.shard_index == 1
    assert ctx.call_root() == f"oss://b/wd/wf/t/{RUN}/call-echo/shard-1/"
    assert ctx.call_root(attempt=2, tag="other") == f"oss://b/wd/wf/other/{RUN}/call-echo/shard-1/attempt-2/"
    assert ctx.job_name() == "t_15e45adf_echo_1"
    # without a configured run id, every call of one run directory agrees on a derived one
    s.workflow_id = None
    a = settings.call_context(s, ["wf", "call-a"], str(tmp_path / "run" / "call-a"))
    b = settings.call_context(s, ["wf", "call-sub", "call-b-0"], str(tmp_path / "run" / "call-sub" / "call-b-0"))
    assert a.workflow_id == b.workflow_id
    assert b.call_root().endswith("/call-sub/call-b/shard-0/")
