"""
``dependsOn``: a WorkflowRun starts only after the runs it names have succeeded (the seed's
germline run reads the BAM of data processing through OSS).

Why here, in the runner, rather than in the planner: ``bcapply`` submits both runs at once, in
dependency order, and the dependent run's runner waits, so one apply carries a whole chain to the
end, and the controller needs no second pass. The runner finds a dependency's run as the newest
job of that WorkflowRun's name created no later than its own job (bcapply submitted it first), and
waits for it to end: Finished lets it start; Failed or Stopped fails this run, naming it.
"""

import time
from typing import Callable, List, Optional

from . import engine

TERMINAL_FAILED = ("Failed", "Stopped")


class DependencyFailed(RuntimeError):
    pass


def names(depends_on: str) -> List[str]:
    """``WorkflowRun/a,WorkflowRun/b`` (or bare names) → ``["a", "b"]``."""
    out = []
    for part in depends_on.split(","):
        part = part.strip()
        if part:
            out.append(part.split("/", 1)[1] if "/" in part else part)
    return out


def _newest(client, name: str, before: Optional[str]):
    newest = None
    marker = ""
    while True:
        page = client.list_jobs(marker, 100)
        for j in page.Items:
            if j.Name != name or (before is not None and str(j.CreationTime) > before):
                continue
            if newest is None or str(j.CreationTime) > str(newest.CreationTime):
                newest = j
        marker = getattr(page, "NextMarker", "") or ""
        if not marker:
            return newest


def wait(depends_on: str, own_job: Optional[str], say: Callable[[str], None], terminating: Callable[[], bool],
         poll: float = 1.0) -> None:
    wanted = names(depends_on)
    if not wanted:
        return
    client = engine.bc_client()
    before = str(engine.with_retries("read the runner's job", lambda: client.get_job(own_job), should_stop=terminating).CreationTime) if own_job else None
    for name in wanted:
        said = False
        while True:
            job = engine.with_retries(f"find WorkflowRun/{name}", lambda: _newest(client, name, before), should_stop=terminating)
            if job is None:
                raise DependencyFailed(f"dependency WorkflowRun/{name} has no run on this engine")
            if job.State == "Finished":
                say(f"dependency WorkflowRun/{name} succeeded ({job.Id})")
                break
            if job.State in TERMINAL_FAILED:
                message = (getattr(job, "Message", "") or "").strip()
                raise DependencyFailed(f"dependency WorkflowRun/{name} {job.State.lower()} ({job.Id}{': ' + message if message else ''})")
            if not said:
                say(f"waiting for WorkflowRun/{name} ({job.Id}, {job.State}) to succeed")
                said = True
            if terminating():
                raise KeyboardInterrupt
            time.sleep(poll)
