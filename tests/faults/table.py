"""The fault table: what each fault-injection test does and what it asserts, one row per test.

docs/faults.md holds this table as `python -m tests.faults.table` prints it; test_faults.py checks each
row against the real run and that the docs hold the table as printed here, so the two cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    test: str  # the test function in tests/faults/test_faults.py
    fault: str  # what happens
    how: str  # how the test makes it happen
    state: str  # the job's final state
    kind: str  # the failure kind shown ("" when none)
    shown: str  # the message and hint the page shows, in short
    studio_up: str  # whether the studio kept serving
    lost: str  # what the user made that was lost


FAULTS = [
    Fault("test_kill_9_while_the_data_is_prepared", "kill -9 while the data is prepared",
          "`STUDIO_FAULTS=data:pause`, SIGKILL to the worker", "interrupted", "interrupted",
          "the worker stopped (killed by signal 9) + its last log lines; hint: Resume", "yes",
          "nothing: Resume runs it to the end"),
    Fault("test_kill_9_mid_step_resumes_from_the_last_checkpoint", "kill -9 in the middle of a step",
          "`step@5:pause` with a checkpoint every 2 steps, SIGKILL", "interrupted", "interrupted",
          "as above", "yes", "the steps after checkpoint-4: Resume continues from it, the curve unbroken"),
    Fault("test_kill_9_while_a_checkpoint_is_saved", "kill -9 while a checkpoint is written",
          "`save@4:pause` (weights and optimizer written, trainer_state.json not yet), SIGKILL", "interrupted",
          "interrupted", "as above; on Resume the log says which checkpoint it resumes from", "yes",
          "the half-written checkpoint-4 (removed); Resume continues from checkpoint-2"),
    Fault("test_a_damaged_last_checkpoint_falls_back_to_the_one_before", "the last checkpoint damaged on disk",
          "kill -9 after checkpoint-4, its adapter weights cut short", "succeeded (after Resume)", "",
          "the log: `checkpoint-4 is damaged (adapter_model.safetensors): resuming from the one before it`",
          "yes", "checkpoint-4 (unreadable); Resume continues from checkpoint-2"),
    Fault("test_a_full_disk_fails_the_job_and_keeps_what_was_there", "the disk fills up",
          "a 48 MB tmpfs workspace, `save-start@2:fill` fills it as the first checkpoint is saved", "failed",
          "disk_full", "no space left on the disk; hint: free space or move the workspace, then Resume", "yes",
          "nothing: spec, log, metrics and the job index stay readable"),
    Fault("test_a_restarted_studio_adopts_the_running_job", "the studio restarted mid-job",
          "the scheduler stopped and a new one started while the worker trains", "succeeded", "",
          "the job goes on; the new studio adopts it", "restarted", "nothing"),
    Fault("test_a_job_past_its_memory_limit_is_stopped_and_the_studio_serves_on", "a job allocates past its limit",
          "`training.memory_limit_gb: 2`, `step@2:alloc` (256 MB more each step), in a served studio",
          "failed", "out_of_memory", "the memory it held and the limit; hint: lower batch/length, lora/qlora, "
          "gradient checkpointing, then Resume", "yes (the page answers)", "nothing: Resume after lowering"),
    Fault("test_ten_broken_data_files_fail_with_their_reason", "ten broken data files",
          "ten jobs, one file each: empty, binary, bad JSON, wrong columns, ...", "failed", "dataset",
          "the file and the row or field, and what to do", "yes", "nothing"),
    Fault("test_cancel_ends_a_studio_train_job_within_ten_seconds", "`studio jobs cancel` on a `studio train` job",
          "`studio train` in the foreground, cancel from a second process", "cancelled", "",
          "cancelled; a checkpoint saved first", "yes", "nothing: Resume continues"),
    Fault("test_cancel_kills_a_job_that_does_not_stop", "cancel of a job stuck in a step",
          "`step@3:pause` (deaf to SIGTERM), Cancel", "cancelled", "",
          "the log: the worker did not stop within 6 s of the request; it was killed", "yes",
          "the steps since the last checkpoint"),
]

HEADER = ("| fault | how the test makes it | final state | kind | what the page shows | studio up | lost |\n"
          "| --- | --- | --- | --- | --- | --- | --- |")


def render() -> str:
    rows = [f"| {f.fault} | {f.how} | {f.state} | {f.kind or '–'} | {f.shown} | {f.studio_up} | {f.lost} |"
            for f in FAULTS]
    return "\n".join([HEADER, *rows])


def row(test: str) -> Fault:
    return next(f for f in FAULTS if f.test == test)


if __name__ == "__main__":
    print(render())
