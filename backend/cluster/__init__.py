"""The cluster backend: the queue's jobs run on a Ray cluster instead of this machine.

    cluster = connect(resolve_address(arg, workspace))   # backend.cluster.connect: None without a cluster
    Scheduler(store, cluster=cluster)                    # backend.jobs.scheduler: its dispatcher seam

Each job becomes one detached Ray actor (backend.cluster.runner.JobRunner) that asks for the job's CPUs and
GPUs and runs the same worker command as on one machine (backend.jobs.launch.worker_command: `accelerate
launch` for a multi-process job) as a subprocess on its node. The job's folder must be on storage every node
sees at the same path (NFS, a shared disk): the worker writes metrics, log, checkpoints and the store there,
so the live curve, logs, cancel, resume and the Runs page work as on one machine.
"""
