"""The processes that run jobs, and what starts them: the scheduler (the queue, in the studio process or
`studio serve-worker`), launch.py (a worker's command: plain or `accelerate launch`), warm.py (a process
with the libraries loaded that forks a worker per job), worker.py (`python -m backend.jobs.worker JOB_DIR`:
the training process) and probe.py (a few timed steps in a process of its own). They talk with the page
only through the job store (backend/store.py) and the job's folder."""
