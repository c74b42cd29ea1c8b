"""
Cromwell's BatchCompute (BCS) runtime attributes, parsed into pieces of a job description.

Why a module of its own: the same rules serve three places that must agree with each other and
with ``bcctl validate`` (Sources/BCModel/CromwellRuntime.swift): the backend, which turns a call's
evaluated ``runtime`` section into the BatchCompute task it submits; the call-cache backend, which
keys calls on the attributes Cromwell's BCS backend counts as hit conditions; and ``inspect``,
which warns at plan time about keys nobody knows.

The syntax is Cromwell's (``BcsRuntimeAttributes.scala`` and friends, last in Cromwell 80),
anchored like its regular expressions -- the whole value must match, so a stray space is an
error rather than a silently different cluster. Where Cromwell was lenient (``\\s+`` between the
words of ``cluster``), we follow bcops' validator and ask for single spaces, so that a value that
passes ``bcctl validate`` in a manifest is exactly one that passes here. Error texts are the
validator's too.

Everything here is pure (no I/O): a Cluster *name* is returned as such and resolved to its id by
the backend, which can ask the engine.
"""

import difflib
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

#: Keys of Cromwell's BCS backend (``BcsRuntimeAttributes``), plus the Cromwell-standard ones it honours.
BCS_KEYS = (
    "cluster",
    "mounts",
    "timeout",
    "docker",
    "dockerTag",
    "userData",
    "imageId",
    "systemDisk",
    "dataDisk",
    "vpc",
    "autoReleaseJob",
    "reserveOnFail",
    "maxRetries",
    "continueOnReturnCode",
    "failOnStderr",
    "tag",
    "isv",
    "verbose",
)

#: Keys of Cromwell's Google backends. Cromwell's BCS backend warns about them and ignores them;
#: so do we (``cpu`` and ``memory`` included: a BatchCompute node's size is its instance type).
GOOGLE_ONLY_KEYS = (
    "memory",
    "cpu",
    "disks",
    "preemptible",
    "zones",
    "bootDiskSizeGb",
    "noAddress",
    "gpuType",
    "gpuCount",
    "cpuPlatform",
)

#: Keys miniwdl itself, or the WDL specification (1.0-1.2 runtime/requirements/hints), knows.
#: Not ours to act on, but not typos either: no "unknown key" warning for them.
MINIWDL_KEYS = (
    "container",
    "returnCodes",
    "return_codes",
    "max_retries",
    "gpu",
    "fpga",
    "privileged",
    "env",
    "docker_network",
    "inlineDockerfile",
    "maxCpu",
    "maxMemory",
    "shortTask",
    "localizationOptional",
    "inputs",
    "outputs",
    "acceleratorType",
    "acceleratorCount",
)

KNOWN_KEYS = BCS_KEYS + GOOGLE_ONLY_KEYS + MINIWDL_KEYS

#: The attributes whose values decide a call-cache hit on BCS (Cromwell's ``BcsJobCachingActorHelper``
#: plus the standard continueOnReturnCode and failOnStderr): the seed's hit conditions.
CACHE_KEYS = ("continueOnReturnCode", "docker", "failOnStderr", "imageId", "userData", "isv")

#: ``bcs``' own defaults (``~/.batchcompute/cliconfig``): what a call with no ``cluster`` gets.
DEFAULT_CLUSTER = "OnDemand ecs.sn1.medium img-ubuntu"

CLUSTER_HELP = (
    "must be like 'cls-xxxx', a Cluster name, 'OnDemand ecs.sn1.medium img-ubuntu' or "
    "'Spot ecs.sn1.medium img-ubuntu SpotWithPriceLimit 0.5'"
)
MOUNT_SCHEMES = ("oss://", "nas://", "smb://", "lustre://")
DISK_TYPES = ("cloud", "ephemeral", "cloud_efficiency", "cloud_ssd")
SYSTEM_DISK_GB = (40, 500)
DATA_DISK_GB = (5, 2000)
TIMEOUT_RANGE = (1, 604800)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,62}$")
_PRICE = re.compile(r"^[01]\.[0-9]{1,3}$")


class RuntimeAttributeError(ValueError):
    """One or more runtime attributes do not parse; ``problems`` lists ``(key, message)``."""

    def __init__(self, problems: List[Tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"runtime.{k}: {m}" for k, m in problems))


@dataclass
class AutoClusterSpec:
    instance_type: str
    image_id: str
    resource_type: str = "OnDemand"
    spot_strategy: Optional[str] = None
    spot_price_limit: Optional[float] = None


@dataclass
class Placement:
    """Where a call runs: ``kind`` is ``id`` (a ``cls-`` id), ``name`` (a Cluster's name) or ``auto``."""

    kind: str
    value: str = ""
    auto: Optional[AutoClusterSpec] = None
    #: an auto-cluster spec may end with ``cls-…`` (Cromwell sets ``AutoCluster.ClusterId``)
    cluster_id: Optional[str] = None


@dataclass
class Mount:
    remote: str
    local: str
    write_support: bool
    #: True for ``"<remote> <local> …"`` (mounted into the task), False for ``"<local> <remote> …"``
    #: (an output mapping: what the task leaves at ``local`` is uploaded to ``remote``).
    is_input: bool


@dataclass
class BcsRuntime:
    """The parsed attributes; ``None`` where the call did not set one."""

    placement: Optional[Placement] = None
    image_id: Optional[str] = None
    mounts: List[Mount] = field(default_factory=list)
    docker: Optional[str] = None
    docker_tag: Optional[Tuple[str, Optional[str]]] = None
    user_data: Dict[str, str] = field(default_factory=dict)
    system_disk: Optional[Tuple[str, int]] = None
    data_disk: Optional[Tuple[str, int, str]] = None
    vpc: Optional[Tuple[Optional[str], Optional[str]]] = None
    reserve_on_fail: Optional[bool] = None
    auto_release_job: Optional[bool] = None
    timeout: Optional[int] = None
    max_retries: Optional[int] = None
    #: True: any return code is success; a list: those codes are; None: only 0
    continue_on_return_code: Union[None, bool, List[int]] = None
    fail_on_stderr: bool = False
    tag: Optional[str] = None
    isv: Optional[str] = None
    verbose: bool = False
    #: ``(key, message)`` for Google-only and unknown keys
    warnings: List[Tuple[str, str]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# single values


def parse_cluster(text: str) -> Placement:
    """``cluster``: ``cls-…``, a Cluster name, or ``[OnDemand|Spot] <type> <image> [<strategy> <price>] [cls-…]``."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"cluster {json.dumps(text)} {CLUSTER_HELP}")
    if text != text.strip(" "):
        raise ValueError(f"cluster {json.dumps(text)} has leading or trailing spaces; it {CLUSTER_HELP}")
    if any(c in text for c in "\t\r\n"):
        raise ValueError(f"cluster {json.dumps(text)} must not contain tabs or line breaks; it {CLUSTER_HELP}")
    tokens = text.split(" ")
    if "" in tokens:
        raise ValueError(f"cluster {json.dumps(text)}: separate the words with single spaces; it {CLUSTER_HELP}")
    if len(tokens) == 1:
        if tokens[0].startswith("cls-"):
            return Placement("id", tokens[0])
        if _NAME.match(tokens[0]):
            return Placement("name", tokens[0])
        raise ValueError(f"cluster {json.dumps(text)} {CLUSTER_HELP}")
    rest = list(tokens)
    cluster_id = None
    if rest[-1].startswith("cls-"):
        cluster_id = rest.pop()
    resource = "OnDemand"
    if rest and rest[0] in ("OnDemand", "Spot"):
        resource = rest.pop(0)
    if not (len(rest) == 2 or (resource == "Spot" and len(rest) == 4)):
        raise ValueError(f"cluster {json.dumps(text)} {CLUSTER_HELP}")
    itype, image = rest[0], rest[1]
    if not (len(itype) > 3 and itype[:3] in ("ecs", "bcs")):
        raise ValueError(f"cluster {json.dumps(text)}: \"{itype}\" is not an instance type (ecs.… or bcs.…); it {CLUSTER_HELP}")
    spec = AutoClusterSpec(instance_type=itype, image_id=image, resource_type=resource)
    if len(rest) == 4:
        if rest[2] not in ("SpotWithPriceLimit", "SpotAsPriceGo"):
            raise ValueError(f"cluster {json.dumps(text)}: \"{rest[2]}\" is not SpotWithPriceLimit or SpotAsPriceGo")
        if not _PRICE.match(rest[3]):
            raise ValueError(
                f"cluster {json.dumps(text)}: spot price \"{rest[3]}\" must look like 0.5 or 1.234 (0 or 1, a dot, 1–3 decimals)"
            )
        spec.spot_strategy, spec.spot_price_limit = rest[2], float(rest[3])
    return Placement("auto", auto=spec, cluster_id=cluster_id)


def _entries(value: Any, key: str) -> List[str]:
    """A String of comma-separated entries, or an Array[String] (Cromwell accepts both)."""
    if isinstance(value, str):
        return [e.strip() for e in value.split(",") if e.strip()]
    if isinstance(value, list) and all(isinstance(e, str) for e in value):
        return list(value)
    raise ValueError(f"{key} must be a String or an Array[String], got {json.dumps(value)}")


def parse_mount(text: str) -> Mount:
    """``"<remote> <local> <true|false>"`` (input) or ``"<local> <remote> <true|false>"`` (output)."""
    t = text.split(" ")
    if len(t) != 3 or t[2] not in ("true", "false"):
        raise ValueError(f"mount \"{text}\" must be \"<oss://…|nas://…> </local/path> <true|false>\"")
    remote_first = t[0].startswith(MOUNT_SCHEMES)
    remote, local = (t[0], t[1]) if remote_first else (t[1], t[0])
    if not remote.startswith(MOUNT_SCHEMES):
        raise ValueError(f"mount \"{text}\" has no oss://, nas://, smb:// or lustre:// side")
    if not local.startswith("/"):
        raise ValueError(f"mount \"{text}\": local path \"{local}\" must start with /")
    if remote.endswith("/") != local.endswith("/"):
        raise ValueError(f"mount \"{text}\": oss and local path type not match (both must end with / for a directory)")
    return Mount(remote=remote, local=local, write_support=(t[2] == "true"), is_input=remote_first)


def parse_disk(text: str, data: bool) -> tuple:
    """``systemDisk: "<type> <GB>"``; ``dataDisk: "<type> <GB> <mountPoint>"``."""
    t = str(text).split(" ")
    want = 3 if data else 2
    if len(t) != want or t[0] not in DISK_TYPES or not t[1].isdigit():
        raise ValueError(
            f"dataDisk \"{text}\" must be \"<type> <GB> <mountPoint>\" such as \"cloud 250 /home/data/\""
            if data
            else f"systemDisk \"{text}\" must be \"<type> <GB>\" such as \"cloud 50\""
        )
    size = int(t[1])
    lo, hi = DATA_DISK_GB if data else SYSTEM_DISK_GB
    if not lo <= size <= hi:
        raise ValueError(f"disk size {size} GB is out of range {lo}–{hi} GB")
    if data:
        if not t[2].startswith("/"):
            raise ValueError(f"data disk mount point \"{t[2]}\" must start with /")
        return (t[0], size, t[2])
    return (t[0], size)


def parse_vpc(text: str) -> Tuple[Optional[str], Optional[str]]:
    """``vpc: "192.168.0.0/16 vpc-xxxx"``: a CIDR block and/or a VPC id → ``(cidr, vpc_id)``."""
    cidr = vpc_id = None
    for token in str(text).split(" "):
        if token.startswith("vpc-"):
            vpc_id = token
            continue
        if "/" in token:
            try:
                net = ipaddress.IPv4Network(token, strict=False)
            except ValueError:
                net = None
            if net is not None:
                if str(net) != token:
                    raise ValueError(f"vpc \"{text}\": \"{token}\" has host bits set; did you mean {net}?")
                cidr = token
                continue
        raise ValueError(f"vpc \"{text}\": \"{token}\" is neither a CIDR block nor a vpc- id")
    if cidr is None and vpc_id is None:
        raise ValueError("vpc must hold a CIDR block and/or a vpc- id, such as \"192.168.0.0/16 vpc-xxxx\"")
    return (cidr, vpc_id)


def parse_user_data(value: Any) -> Dict[str, str]:
    ans = {}
    for entry in _entries(value, "userData"):
        m = re.match(r"^(\S+)\s+(\S+)$", entry)
        if not m:
            raise ValueError(f"user data \"{entry}\" must be \"<key> <value>\"")
        ans[m.group(1)] = m.group(2)
    return ans


def parse_bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{key} must be true or false, got {json.dumps(value)}")


def parse_int(value: Any, key: str, lo: Optional[int] = None, hi: Optional[int] = None, unit: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{key} must be an integer, got {json.dumps(value)}")
    try:
        n = int(str(value).strip()) if isinstance(value, str) else int(value)
    except ValueError:
        raise ValueError(f"{key} must be an integer, got {json.dumps(value)}") from None
    if isinstance(value, float) and value != n:
        raise ValueError(f"{key} must be an integer, got {value}")
    u = f" {unit}" if unit else ""
    if hi is not None and lo is not None and not lo <= n <= hi:
        raise ValueError(f"{key} {n}{u} is out of range {lo}–{hi}{u}")
    if lo is not None and n < lo:
        raise ValueError(f"{key} must be at least {lo}, got {n}")
    return n


def parse_continue_on_return_code(value: Any) -> Union[bool, List[int]]:
    """Cromwell's standard attribute: true (any code), false (only 0), an Int or an Array[Int]."""
    if isinstance(value, str):
        s = value.strip()
        if s.lower() in ("true", "false"):
            return s.lower() == "true"
        try:
            value = json.loads(s)
        except ValueError:
            raise ValueError(f"continueOnReturnCode must be a Boolean, an Int or an Array[Int], got {json.dumps(value)}") from None
    if isinstance(value, bool):
        return True if value else [0]
    if isinstance(value, int):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return sorted(set(value))
    raise ValueError(f"continueOnReturnCode must be a Boolean, an Int or an Array[Int], got {json.dumps(value)}")


def suggest(key: str, candidates=KNOWN_KEYS) -> Optional[str]:
    """The known key a misspelled one most likely meant (``clustr`` → ``cluster``)."""
    lowered = {c.lower(): c for c in candidates}
    if key.lower() in lowered:
        return lowered[key.lower()]
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.75)
    if not close:
        close = [lowered[c] for c in difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.75)]
    return close[0] if close else None


def key_warning(key: str) -> Optional[str]:
    """The warning a runtime key deserves: Google-only, unknown (with a suggestion), or none."""
    if key in GOOGLE_ONLY_KEYS:
        return f"runtime key \"{key}\" is for Google backends; the BatchCompute backend ignores it (as Cromwell's does)"
    if key in KNOWN_KEYS:
        return None
    guess = suggest(key)
    return f"unknown runtime key \"{key}\"" + (f"; did you mean \"{guess}\"?" if guess else "; ignored")


# ---------------------------------------------------------------------------------------------
# a whole runtime section


def parse(attrs: Dict[str, Any]) -> BcsRuntime:
    """
    Parse a call's runtime attributes (JSON-like values: str, int, float, bool, list). Returns the
    parsed values with warnings for Google-only and unknown keys; raises RuntimeAttributeError
    naming every attribute that does not parse.
    """
    rt = BcsRuntime()
    problems: List[Tuple[str, str]] = []

    def attempt(key, fn):
        if key in attrs and attrs[key] is not None:
            try:
                fn(attrs[key])
            except ValueError as exn:
                problems.append((key, str(exn)))

    def set_docker(v):
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"docker must be one image name, got {json.dumps(v)}")
        if len(v.split()) != 1:
            raise ValueError(
                f"docker \"{v}\" must be one image name (for an image kept in an OSS registry, "
                "use dockerTag: \"<image> <oss://registry/path/>\")"
            )
        rt.docker = v

    def set_docker_tag(v):
        t = str(v).split()
        if len(t) not in (1, 2):
            raise ValueError(f"dockerTag \"{v}\" must be \"<image>\" or \"<image> <oss://registry/path/>\"")
        rt.docker_tag = (t[0], t[1] if len(t) == 2 else None)

    def set_mounts(v):
        rt.mounts = [parse_mount(e) for e in _entries(v, "mounts")]

    def set_image(v):
        if not isinstance(v, str) or len(v.split()) != 1:
            raise ValueError(f"imageId must be one image id such as img-ubuntu, got {json.dumps(v)}")
        rt.image_id = v

    def set_tag(v):
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"tag must be a non-empty String, got {json.dumps(v)}")
        rt.tag = v

    def set_isv(v):
        rt.isv = str(v)

    attempt("cluster", lambda v: setattr(rt, "placement", parse_cluster(v)))
    attempt("imageId", set_image)
    attempt("mounts", set_mounts)
    attempt("docker", set_docker)
    attempt("dockerTag", set_docker_tag)
    attempt("userData", lambda v: setattr(rt, "user_data", parse_user_data(v)))
    attempt("systemDisk", lambda v: setattr(rt, "system_disk", parse_disk(v, data=False)))
    attempt("dataDisk", lambda v: setattr(rt, "data_disk", parse_disk(v, data=True)))
    attempt("vpc", lambda v: setattr(rt, "vpc", parse_vpc(v)))
    attempt("reserveOnFail", lambda v: setattr(rt, "reserve_on_fail", parse_bool(v, "reserveOnFail")))
    attempt("autoReleaseJob", lambda v: setattr(rt, "auto_release_job", parse_bool(v, "autoReleaseJob")))
    attempt("timeout", lambda v: setattr(rt, "timeout", parse_int(v, "timeout", *TIMEOUT_RANGE, unit="s")))
    attempt("maxRetries", lambda v: setattr(rt, "max_retries", parse_int(v, "maxRetries", 0)))
    attempt("continueOnReturnCode", lambda v: setattr(rt, "continue_on_return_code", parse_continue_on_return_code(v)))
    attempt("failOnStderr", lambda v: setattr(rt, "fail_on_stderr", parse_bool(v, "failOnStderr")))
    attempt("tag", set_tag)
    attempt("isv", set_isv)
    attempt("verbose", lambda v: setattr(rt, "verbose", parse_bool(v, "verbose")))

    for key in attrs:
        msg = key_warning(key)
        if msg:
            rt.warnings.append((key, msg))
    if problems:
        raise RuntimeAttributeError(problems)
    return rt


def cache_subset(attrs: Dict[str, Any]) -> Dict[str, Any]:
    """The attributes that decide a call-cache hit, as given (JSON values), for keying."""
    return {k: attrs[k] for k in CACHE_KEYS if k in attrs and attrs[k] is not None}


def auto_cluster(rt: BcsRuntime, spec: AutoClusterSpec, cluster_id: Optional[str] = None) -> Dict[str, Any]:
    """The ``AutoCluster`` of a task: the spec, with ``imageId``, disks, VPC, user data, … applied."""
    ac: Dict[str, Any] = {
        "ResourceType": spec.resource_type,
        "InstanceType": spec.instance_type,
        "ImageId": rt.image_id or spec.image_id,
        "ReserveOnFail": bool(rt.reserve_on_fail),
        "UserData": dict(rt.user_data),
    }
    if spec.spot_strategy:
        ac["SpotStrategy"] = spec.spot_strategy
        if spec.spot_price_limit is not None:
            ac["SpotPriceLimit"] = spec.spot_price_limit
    if cluster_id:
        ac["ClusterId"] = cluster_id
    if rt.isv:
        ac["DependencyIsvService"] = rt.isv
    configs: Dict[str, Any] = {}
    if rt.system_disk or rt.data_disk:
        disks: Dict[str, Any] = {}
        if rt.system_disk:
            disks["SystemDisk"] = {"Type": rt.system_disk[0], "Size": rt.system_disk[1]}
        if rt.data_disk:
            disks["DataDisk"] = {"Type": rt.data_disk[0], "Size": rt.data_disk[1], "MountPoint": rt.data_disk[2]}
        configs["Disks"] = disks
    if rt.vpc:
        vpc = {}
        if rt.vpc[0]:
            vpc["CidrBlock"] = rt.vpc[0]
        if rt.vpc[1]:
            vpc["VpcId"] = rt.vpc[1]
        configs["Networks"] = {"VPC": vpc}
    if configs:
        ac["Configs"] = configs
    return ac


def task_pieces(rt: BcsRuntime, default_cluster: str = DEFAULT_CLUSTER, default_timeout: int = 86400) -> Dict[str, Any]:
    """
    The parts of a BatchCompute ``TaskDescription`` (and its command's ``Docker``/``EnvVars``) the
    runtime attributes decide. A Cluster given by name comes back as ``{"ClusterName": …}`` for
    the caller to resolve. ``default_cluster`` (same syntax as ``cluster``) places calls that name
    none; Cromwell refused those ("cluster id or auto cluster configuration is mandatory").
    """
    placement = rt.placement or parse_cluster(default_cluster)
    pieces: Dict[str, Any] = {"Timeout": rt.timeout if rt.timeout is not None else default_timeout}
    if placement.kind == "id":
        pieces["ClusterId"] = placement.value
    elif placement.kind == "name":
        pieces["ClusterName"] = placement.value
    else:
        assert placement.auto is not None
        pieces["AutoCluster"] = auto_cluster(rt, placement.auto, placement.cluster_id)
    inputs = [m for m in rt.mounts if m.is_input]
    outputs = [m for m in rt.mounts if not m.is_input]
    if inputs:
        pieces["Mounts"] = {
            "Entries": [{"Source": m.remote, "Destination": m.local, "WriteSupport": m.write_support} for m in inputs]
        }
    if outputs:
        pieces["OutputMapping"] = {m.local: m.remote for m in outputs}
    env: Dict[str, str] = {}
    if rt.docker:
        pieces["DockerImage"] = rt.docker
    elif rt.docker_tag:
        # Cromwell: dockerTag travels as environment variables, and only when docker is not set
        env["BATCH_COMPUTE_DOCKER_IMAGE"] = rt.docker_tag[0]
        if rt.docker_tag[1]:
            env["BATCH_COMPUTE_DOCKER_REGISTRY_OSS_PATH"] = rt.docker_tag[1]
    if env:
        pieces["EnvVars"] = env
    return pieces
