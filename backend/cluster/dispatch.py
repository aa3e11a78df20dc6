"""The scheduler's cluster seam: start a queued job as a Ray actor, watch it, cancel it, adopt it after a restart.

    d = ClusterDispatcher(address)              # backend.cluster.connect.connect makes it
    d.has_room(spec, children)                 # the cluster's CPUs/GPUs minus what our running jobs asked for
    child = d.launch(store, job_id)            # a ClusterChild: poll(), send_signal(), kill(), pid (0), how
    d.watch(jobs, children)                    # cancel: SIGTERM through the actor, kill after the grace period
    d.adopt(store, job)                        # after a studio restart: the job's actor, or None

A cluster job's `pid` in the store stays 0: its worker runs on a node, so the local watchers (the guard's
signals and memory check, is_worker_alive) leave it to this module. Memory on a node is Ray's concern: its
memory monitor kills a worker that would exhaust the node, and the job is marked interrupted.
"""

from __future__ import annotations

import logging
import signal
import time

from backend.jobs.guard import GRACE_S
from backend.messages import msg
from backend.store import InvalidTransition, JobError

log = logging.getLogger("studio.cluster")


def actor_name(job) -> str:
    return f"studio-job-{job.id}-{job.resumes}"


def job_resources(spec, cluster_gpus: float) -> dict:
    """What the job asks the cluster for: a GPU per process when it trains on GPUs (`training.device` cuda, or
    auto and the cluster has GPUs), and `training.cpu_threads` CPUs (1 when unset) per process."""
    n = max(1, spec.distributed.num_processes)
    device = spec.training.device
    gpus = n if device == "cuda" or (device == "auto" and cluster_gpus > 0) else 0
    cpus = n * max(1, int(spec.training.cpu_threads or 0))
    return {"num_cpus": cpus, "num_gpus": gpus}


def fits(want: dict, total: dict) -> bool:
    return want["num_cpus"] <= total.get("CPU", 0) and want["num_gpus"] <= total.get("GPU", 0)


class ClusterChild:
    """A job's actor as the scheduler uses a worker process."""

    pid = 0
    remote = True

    def __init__(self, store, job_id: str, actor, ref, resources: dict):
        self.store, self.job_id, self.actor, self.ref = store, job_id, actor, ref
        self.resources = resources
        self.returncode: int | None = None
        self.how = None
        self.result: dict | None = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        import ray

        ready, _ = ray.wait([self.ref], timeout=0)
        if not ready:
            return None
        try:
            self.result = ray.get(self.ref)
        except Exception as exc:  # noqa: BLE001 - RayActorError, WorkerCrashedError, TaskCancelledError
            self.how = msg("cluster.how_actor_died", error=str(exc).strip().splitlines()[0][:200] if str(exc) else
                           type(exc).__name__)
            self.returncode = -signal.SIGKILL
            return self.returncode
        finally:
            self._end_actor()
        code, error = self.result.get("code"), self.result.get("error")
        if error:
            self._fail(error)
            code = 1
        self.returncode = code
        return code

    def _fail(self, error: str) -> None:
        r = self.result
        if error == "missing_folder":
            err = JobError("cluster", msg("cluster.no_job_folder", host=r.get("hostname"), node=r.get("node_ip"),
                                          folder=self.store.job_dir(self.job_id)), msg("cluster.no_job_folder_hint"))
        else:
            err = JobError("cluster", msg("cluster.runner_failed", host=r.get("hostname"), error=error),
                           msg("cluster.runner_failed_hint"))
        try:
            self.store.mark_failed(self.job_id, err)
        except InvalidTransition:
            pass

    def send_signal(self, sig: int) -> None:
        import ray

        try:
            ray.get(self.actor.signal.remote(int(sig)), timeout=5)
        except Exception:  # noqa: BLE001 - not started yet, or gone: kill() ends it
            pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)
        self._end_actor()

    def _end_actor(self) -> None:
        import ray

        try:
            ray.kill(self.actor)
        except Exception:  # noqa: BLE001 - already gone
            pass


class ClusterDispatcher:
    def __init__(self, address: str, grace_s: float = GRACE_S):
        self.address = address
        self.grace_s = grace_s
        self._acted: dict[str, int] = {}
        self._term_at: dict[str, float] = {}

    def has_room(self, spec, children: dict) -> bool:
        """Whether the cluster has the CPUs and GPUs the job asks for, besides those of our running jobs (others'
        use of the cluster is Ray's to queue: a job may then wait in Ray, shown running, until it fits)."""
        import ray

        total = ray.cluster_resources()
        want = job_resources(spec, total.get("GPU", 0))
        if not fits(want, total):
            return True  # never: launch() fails it with a message
        used = {"num_cpus": 0.0, "num_gpus": 0.0}
        for child in children.values():
            for k in used:
                used[k] += getattr(child, "resources", {}).get(k, 0)
        return (used["num_cpus"] + want["num_cpus"] <= total.get("CPU", 0)
                and used["num_gpus"] + want["num_gpus"] <= total.get("GPU", 0))

    def launch(self, store, job_id: str) -> ClusterChild:
        import ray

        from backend.cluster.runner import JobRunner
        from backend.jobs.launch import LaunchError

        job, spec = store.get(job_id), store.load_spec(job_id)
        total = ray.cluster_resources()
        resources = job_resources(spec, total.get("GPU", 0))
        if not fits(resources, total):
            raise LaunchError(JobError("cluster", msg("cluster.too_big", cpus=resources["num_cpus"],
                                                      gpus=resources["num_gpus"], have_cpus=total.get("CPU", 0),
                                                      have_gpus=total.get("GPU", 0)), msg("cluster.too_big_hint")))
        actor = ray.remote(JobRunner).options(
            name=actor_name(job), lifetime="detached", max_concurrency=4, max_restarts=0, **resources).remote()
        ref = actor.run.remote(str(store.job_dir(job_id)))
        log.info("job %s sent to the cluster %s (%s)", job_id, self.address, resources)
        return ClusterChild(store, job_id, actor, ref, resources)

    def adopt(self, store, job) -> ClusterChild | None:
        """A running job's actor after a studio restart (it outlives the studio), or None when it is gone."""
        import ray

        try:
            actor = ray.get_actor(actor_name(job))
        except ValueError:
            return None
        spec = store.load_spec(job.id)
        return ClusterChild(store, job.id, actor, actor.wait.remote(),
                            job_resources(spec, ray.cluster_resources().get("GPU", 0)))

    def watch(self, jobs, children: dict) -> None:
        """Cancel, as backend.jobs.guard does for local workers: the first request SIGTERM (a checkpoint, then
        cancelled), the job killed and marked cancelled GRACE_S later or on a second request."""
        now = time.monotonic()
        for job in jobs:
            child = children.get(job.id)
            if not isinstance(child, ClusterChild):
                continue
            acted = self._acted.get(job.id, 0)
            if job.cancel_requested > acted:
                self._acted[job.id] = job.cancel_requested
                if acted == 0 and job.cancel_requested == 1:
                    log.info("cancel cluster job %s: SIGTERM (killed in %.0f s)", job.id, self.grace_s)
                    child.send_signal(signal.SIGTERM)
                    self._term_at[job.id] = now
                    continue
                self._kill(store_of(child), job.id, child, 0)
            elif job.id in self._term_at and now - self._term_at[job.id] >= self.grace_s:
                self._kill(store_of(child), job.id, child, self.grace_s)

    def _kill(self, store, job_id: str, child: ClusterChild, seconds: float) -> None:
        self._term_at.pop(job_id, None)
        child.kill()
        try:
            store.mark_cancelled(job_id)
        except InvalidTransition:
            pass
        log.warning("cluster job %s killed after cancel (%.0f s)", job_id, seconds)


def store_of(child: ClusterChild):
    return child.store
