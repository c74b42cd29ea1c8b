"""Cromwell BCS runtime-attribute parsing (bcops_miniwdl.runtime_attributes)."""

import pytest

from bcops_miniwdl import runtime_attributes as ra


def test_cluster_forms():
    assert ra.parse_cluster("cls-abc123") == ra.Placement("id", "cls-abc123")
    assert ra.parse_cluster("wdl-pool") == ra.Placement("name", "wdl-pool")
    p = ra.parse_cluster("ecs.sn1.medium img-ubuntu")
    assert p.kind == "auto" and p.auto.resource_type == "OnDemand" and p.auto.instance_type == "ecs.sn1.medium"
    p = ra.parse_cluster("OnDemand ecs.sn1ne.large img-ubuntu-vpc cls-xyz")
    assert p.auto.image_id == "img-ubuntu-vpc" and p.cluster_id == "cls-xyz"
    p = ra.parse_cluster("Spot bcs.b2.3xlarge img-ubuntu SpotWithPriceLimit 0.5")
    assert (p.auto.resource_type, p.auto.spot_strategy, p.auto.spot_price_limit) == ("Spot", "SpotWithPriceLimit", 0.5)


@pytest.mark.parametrize(
    "text, fragment",
    [
        (" OnDemand ecs.sn1.medium img-ubuntu", "leading or trailing spaces"),
        ("OnDemand ecs.sn1.medium img-ubuntu ", "leading or trailing spaces"),
        ("OnDemand  ecs.sn1.medium img-ubuntu", "single spaces"),
        ("OnDemand\tecs.sn1.medium img-ubuntu", "tabs"),
        ("OnDemand sn1.medium img-ubuntu", "is not an instance type"),
        ("Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 2.5", "spot price"),
        ("Spot ecs.sn1.medium img-ubuntu Cheap 0.5", "SpotWithPriceLimit or SpotAsPriceGo"),
        ("OnDemand ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.5", "must be like"),
        ("1pool", "must be like"),
        ("", "must be like"),
    ],
)
def test_cluster_errors(text, fragment):
    with pytest.raises(ValueError) as e:
        ra.parse_cluster(text)
    assert fragment in str(e.value)


def test_mounts():
    m = ra.parse_mount("oss://bcs-bucket/bcs-dir/ /home/inputs/ false")
    assert m.is_input and m.remote == "oss://bcs-bucket/bcs-dir/" and m.local == "/home/inputs/" and not m.write_support
    m = ra.parse_mount("/home/outputs/ oss://bcs-bucket/out/ true")
    assert not m.is_input and m.write_support
    with pytest.raises(ValueError, match="oss and local path type not match"):
        ra.parse_mount("oss://b/dir/ /home/refs false")
    with pytest.raises(ValueError, match="must start with /"):
        ra.parse_mount("oss://b/x home/x false")
    with pytest.raises(ValueError, match="no oss://"):
        ra.parse_mount("/a /b true")
    rt = ra.parse({"mounts": "oss://b/a/ /a/ false, /out/ oss://b/out/ false"})
    assert [m.is_input for m in rt.mounts] == [True, False]
    rt = ra.parse({"mounts": ["oss://b/ref.fa /ref.fa false"]})
    assert rt.mounts[0].local == "/ref.fa"


def test_disks_vpc_user_data():
    assert ra.parse_disk("cloud 50", data=False) == ("cloud", 50)
    assert ra.parse_disk("cloud_efficiency 250 /home/data/", data=True) == ("cloud_efficiency", 250, "/home/data/")
    with pytest.raises(ValueError, match="out of range 40–500"):
        ra.parse_disk("cloud 20", data=False)
    with pytest.raises(ValueError, match="must be \"<type> <GB>\""):
        ra.parse_disk("cloud_efficiency", data=False)
    assert ra.parse_vpc("192.168.0.0/16 vpc-xxxx") == ("192.168.0.0/16", "vpc-xxxx")
    assert ra.parse_vpc("192.168.0.0/16") == ("192.168.0.0/16", None)
    with pytest.raises(ValueError, match="neither a CIDR block nor a vpc- id"):
        ra.parse_vpc("192.168.0.0/16 vsw-123")
    with pytest.raises(ValueError, match="host bits"):
        ra.parse_vpc("192.168.1.1/16")
    assert ra.parse_user_data("key1 value1, key2 value2") == {"key1": "value1", "key2": "value2"}
    # the documented example is malformed: "key2" alone has no value
    with pytest.raises(ValueError, match="must be \"<key> <value>\""):
        ra.parse_user_data("key1 value1, key2, value2")


def test_scalars():
    rt = ra.parse({"timeout": 3000, "maxRetries": "2", "reserveOnFail": "true", "autoReleaseJob": False, "failOnStderr": True})
    assert (rt.timeout, rt.max_retries, rt.reserve_on_fail, rt.auto_release_job, rt.fail_on_stderr) == (3000, 2, True, False, True)
    assert ra.parse({"continueOnReturnCode": True}).continue_on_return_code is True
    assert ra.parse({"continueOnReturnCode": False}).continue_on_return_code == [0]
    assert ra.parse({"continueOnReturnCode": 1}).continue_on_return_code == [1]
    assert ra.parse({"continueOnReturnCode": [4, 8, 15]}).continue_on_return_code == [4, 8, 15]
    with pytest.raises(ra.RuntimeAttributeError) as e:
        ra.parse({"timeout": 0, "maxRetries": -1, "continueOnReturnCode": "x"})
    keys = [k for k, _ in e.value.problems]
    assert keys == ["timeout", "maxRetries", "continueOnReturnCode"]
    assert "timeout 0 s is out of range 1–604800 s" in str(e.value)


def test_docker_forms():
    assert ra.parse({"docker": "registry.cn-shanghai.aliyuncs.com/batchcompute/myubuntu:0.2"}).docker.endswith(":0.2")
    # Cromwell's two-token form silently lost the image; here it is an error naming dockerTag
    with pytest.raises(ra.RuntimeAttributeError, match="dockerTag"):
        ra.parse({"docker": "ubuntu/latest oss://bucket/registry/"})
    rt = ra.parse({"dockerTag": "myimage oss://bucket/registry/"})
    pieces = ra.task_pieces(rt)
    assert pieces["EnvVars"] == {"BATCH_COMPUTE_DOCKER_IMAGE": "myimage", "BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH": "oss://bucket/registry/"}
    # dockerTag is ignored when docker is set (Cromwell)
    pieces = ra.task_pieces(ra.parse({"docker": "img:1", "dockerTag": "other"}))
    assert pieces["DockerImage"] == "img:1" and "EnvVars" not in pieces


def test_warnings_for_google_and_unknown_keys():
    rt = ra.parse({"memory": "4 GB", "cpu": 2, "clustr": "x", "preemptible": 3, "docker": "a"})
    msgs = dict(rt.warnings)
    assert "Google" in msgs["memory"] and "Google" in msgs["cpu"] and "Google" in msgs["preemptible"]
    assert msgs["clustr"] == 'unknown runtime key "clustr"; did you mean "cluster"?'
    assert "docker" not in msgs
    assert ra.key_warning("returnCodes") is None  # miniwdl's own
    assert ra.key_warning("sytemDisk") == 'unknown runtime key "sytemDisk"; did you mean "systemDisk"?'
    assert ra.key_warning("zzzz").endswith("; ignored")


def test_task_pieces_auto_cluster():
    rt = ra.parse(
        {
            "cluster": "OnDemand ecs.sn1ne.large img-ubuntu-vpc",
            "imageId": "img-custom",
            "systemDisk": "cloud_efficiency 50",
            "dataDisk": "cloud 250 /home/data/",
            "vpc": "192.168.0.0/16 vpc-2zel",
            "userData": ["owner genomics"],
            "reserveOnFail": True,
            "isv": "isv-1",
            "timeout": 600,
            "mounts": ["oss://b/refs/ /home/refs/ false", "/home/out/ oss://b/out/ false"],
        }
    )
    p = ra.task_pieces(rt)
    ac = p["AutoCluster"]
    assert ac["InstanceType"] == "ecs.sn1ne.large" and ac["ImageId"] == "img-custom" and ac["ResourceType"] == "OnDemand"
    assert ac["Configs"]["Disks"]["SystemDisk"] == {"Type": "cloud_efficiency", "Size": 50}
    assert ac["Configs"]["Disks"]["DataDisk"] == {"Type": "cloud", "Size": 250, "MountPoint": "/home/data/"}
    assert ac["Configs"]["Networks"]["VPC"] == {"CidrBlock": "192.168.0.0/16", "VpcId": "vpc-2zel"}
    assert ac["UserData"] == {"owner": "genomics"} and ac["ReserveOnFail"] is True and ac["DependencyIsvService"] == "isv-1"
    assert p["Timeout"] == 600
    assert p["Mounts"]["Entries"] == [{"Source": "oss://b/refs/", "Destination": "/home/refs/", "WriteSupport": False}]
    assert p["OutputMapping"] == {"/home/out/": "oss://b/out/"}


def test_task_pieces_placement_defaults():
    assert ra.task_pieces(ra.parse({"cluster": "cls-1"}))["ClusterId"] == "cls-1"
    assert ra.task_pieces(ra.parse({"cluster": "wdl-pool"}))["ClusterName"] == "wdl-pool"
    p = ra.task_pieces(ra.parse({}), default_timeout=123)
    assert p["AutoCluster"]["InstanceType"] == "ecs.sn1.medium" and p["Timeout"] == 123
    p = ra.task_pieces(ra.parse({}), default_cluster="cls-default")
    assert p["ClusterId"] == "cls-default"


def test_cache_subset():
    attrs = {"docker": "a", "cluster": "cls-1", "userData": ["k v"], "memory": "1G", "continueOnReturnCode": 1, "imageId": "img", "failOnStderr": False, "isv": "i"}
    assert ra.cache_subset(attrs) == {"docker": "a", "userData": ["k v"], "continueOnReturnCode": 1, "imageId": "img", "failOnStderr": False, "isv": "i"}
