"""Launch files: a job's spec run on a cluster people already have, by `studio train` there.

    from backend.launch import LaunchOptions, export_launch
    made = export_launch(job_dir, "slurm", LaunchOptions(gpus=4, time="04:00:00"))   # or "skypilot"
    made.path    # <job>/exports/<job>-slurm.sbatch (or <job>-skypilot.yaml); made.notes: what to check

Slurm: an sbatch script (slurm.py); SkyPilot: a task YAML (skypilot.py). Both carry the job's spec.yaml
verbatim (a quoted heredoc: the file alone is enough to copy to the cluster) and run `studio train SPEC
--no-queue`, with the job's `distributed` layout set from the GPUs and machines asked for: accelerate runs one
process per GPU inside `studio train` on each machine, and on several machines each runs it with its own
machine_rank and the first machine as main_process_ip (script.py). Checked by parsing, not by a cluster
(tests/backend/launch/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from backend.launch.options import TARGETS, LaunchFileError, LaunchOptions
from backend.messages import msg

__all__ = ["TARGETS", "LaunchFile", "LaunchFileError", "LaunchOptions", "export_launch", "launch_text"]

SUFFIX = {"slurm": "slurm.sbatch", "skypilot": "skypilot.yaml"}


@dataclass
class LaunchFile:
    path: Path
    notes: list[str] = field(default_factory=list)  # messages a person should read (paths the cluster must see...)


def launch_text(job_id: str, spec_text: str, target: str, options: LaunchOptions) -> tuple[str, list[str]]:
    """The launch file's text for a job's spec, and the notes that go with it."""
    from backend.spec import JobSpec, SpecError

    if target not in TARGETS:
        raise LaunchFileError(msg("cluster.launch_bad_target", value=repr(target), choices=", ".join(TARGETS)))
    try:
        spec = JobSpec.from_yaml(spec_text)
    except SpecError as e:
        raise LaunchFileError(msg("cluster.launch_bad_spec", job=job_id, error="; ".join(map(str, e.issues)))) from None
    options = options.checked().for_spec(spec)
    if target == "slurm":
        from backend.launch.slurm import sbatch_script

        text, notes = sbatch_script(job_id, spec_text, spec, options)
    else:
        from backend.launch.skypilot import skypilot_task

        text, notes = skypilot_task(job_id, spec_text, spec, options)
    from backend.launch.script import spec_notes

    return text, spec_notes(spec, options) + notes


def export_launch(job_dir: Path, target: str, options: LaunchOptions, out: Path | None = None) -> LaunchFile:
    """Write the launch file: into the job's exports/ folder, or at `out` (a file, or a folder to put it in),
    which only a person at the command line gives."""
    job_dir = Path(job_dir)
    spec_path = job_dir / "spec.yaml"
    if not spec_path.is_file():
        raise LaunchFileError(msg("jobs.no_job", job=repr(job_dir.name), folder=str(job_dir.parent)))
    if not re.match(r"^[A-Za-z0-9._-]+$", job_dir.name):  # it goes into the file's comments and paths
        raise LaunchFileError(msg("jobs.bad_job_id", job=repr(job_dir.name)))
    text, notes = launch_text(job_dir.name, spec_path.read_text(encoding="utf-8"), target, options)
    name = f"{job_dir.name}-{SUFFIX[target]}"
    path = Path(out) if out else job_dir / "exports" / name
    if path.is_dir():
        path = path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if target == "slurm":
        path.chmod(0o755)
    return LaunchFile(path, notes)
