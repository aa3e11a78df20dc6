"""English messages: jobs (ids `jobs.*`): the store, the workspace, the processes that run jobs (scheduler,
worker, probe), the version check, the hub check and the project's files."""

EN: dict[str, str] = {
    # backend/store.py
    "jobs.not_queued": "job {job} is not queued; only queued jobs can be reordered.",
    "jobs.delete_running": "job {job} is running; cancel it before deleting it.",
    "jobs.delete_started": "job {job} started meanwhile; cancel it before deleting it.",
    "jobs.bad_transition": "job {job} is {state}; it cannot become {to}.",
    # backend/workspace.py
    "jobs.bad_job_id": "{job} is not a job id (letters, digits, '-', '_' and '.').",
    "jobs.no_job": "no job {job} in {folder}.",
    "jobs.absolute_path": "{path} is an absolute path; only names inside the workspace are accepted.",
    "jobs.outside_workspace": "{path} points outside the workspace {root}.",
    # backend/jobs/scheduler.py: a worker that ended without recording an end (`how`: one of jobs.how_*)
    "jobs.worker_died": "The worker process {how} before the job finished.",
    "jobs.worker_died_log": "The worker process {how} before the job finished. Last log lines:\n{lines}",
    "jobs.worker_died_hint": "This happens when the process is killed (out of memory, a reboot, kill -9). {resume} "
                             "Lower the batch size or max length first if memory was short.",
    "jobs.resume_from_checkpoint": "Resume continues from step {step} ({checkpoint}), its last checkpoint.",
    "jobs.resume_from_start": "No checkpoint was saved before it stopped: Resume starts the job again from step 0.",
    "jobs.how_not_running": "was not running when the studio started",
    "jobs.how_signal": "was killed by signal {signal}",
    "jobs.how_exit": "exited with code {code}",
    "jobs.how_stopped": "stopped",
    "jobs.cannot_start_worker": "could not start the worker: {error}",
    # backend/jobs/worker.py: a multi-process job
    "jobs.lost_contact": "A process of this {world}-process job stopped or lost contact with the others "
                         "({type}: {error})",
    "jobs.lost_contact_hint": "The first error in the job's log says why (lines of processes other than the main one "
                              "start with [rank N]); a process killed without a word was often out of memory.",
    "jobs.process_of": "process {rank} of {world}: {error}",
    # backend/jobs/probe.py
    "jobs.probe_too_few_steps": "the probe ran only {steps} step(s); the data may be too small for one batch.",
    "jobs.probe_too_few_steps_hint": "Lower `training.batch_size`, or add rows.",
    "jobs.probe_cannot_read_spec": "cannot read the spec file {path}: {error}. Give the path of a job spec YAML, such "
                                   "as templates/demo.yaml.",
    "jobs.probe_bad_steps": "`--steps` must be at least 1, got {steps}.",
    "jobs.probe_bad_spec": "the spec {path} is not valid: {error} Fix the named field and try again.",
    "jobs.probe_failed": "{message} {hint}",
    # backend/versions.py
    "jobs.libraries_do_not_fit": "The installed libraries do not fit this studio:\n{details}",
    "jobs.libraries_hint": "Install the declared versions: {command} (or reinstall the studio with `pip install -e .`). "
                           "To run anyway at your own risk, set {env}=1.",
    "jobs.package_missing": "{package} is not installed (this studio needs {requirement})",
    "jobs.package_outside_range": "version {found} of {package} is installed, outside the range this studio needs "
                                  "({requirement})",
    # backend/hub.py
    "jobs.hub_offline": "HF_HUB_OFFLINE is set",
    # backend/resources.py
    "jobs.no_chat_template": "no chat template named {name}; known: {known}.",
    # backend/jobs/guard.py
    "jobs.memory_stopped": "The job held {used} of memory and {why}; the studio stopped it before the system's "
                           "out-of-memory killer could pick a process.",
    "jobs.memory_why_limit": "reached its limit of {limit} (training.memory_limit_gb)",
    "jobs.memory_why_machine": "the machine had only {left} left (the studio keeps {reserve} free for itself and "
                               "the system)",
    "jobs.memory_stopped_hint": "Lower training.batch_size or training.max_length, use lora or qlora instead of full, "
                                "or set training.gradient_checkpointing to on; then Resume (it continues from the last "
                                "checkpoint). Or raise training.memory_limit_gb if the machine has the memory.",
    "jobs.cancel_killed": "cancel: the worker did not stop within {seconds} s of the request; it was killed.",
    "jobs.cancel_waiting": "stop requested; waiting up to {seconds} s for job {job} to save and end",
    # backend/jobs/pace.py
    "jobs.slow_step": "Step {step} has been running for {elapsed}, {times}x the {expected} a step took {source}. A step "
                      "this slow often means the memory is swapping, rows far longer than the others, or a stage "
                      "stuck on rows that cannot train; watch the system chart, or Cancel and lower "
                      "training.max_length or training.batch_size.",
    "jobs.pace_probe": "when the Review measured it",
    "jobs.pace_earlier": "on average so far",
}
