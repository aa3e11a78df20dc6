"""What the Slurm script and the SkyPilot task share: the spec carried in the file, the workspace, the
`studio train` line of each machine, and the notes on what the cluster must provide.

Quoting: every value from the options goes through `word` (shlex.quote, `~/` kept as $HOME); the spec goes
in a quoted heredoc (`<<'EOF'`: nothing in it is expanded), whose end marker is made longer should a line of
the spec equal it; the per-machine lines use only integers and the cluster's own variables.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from backend.launch.options import LaunchOptions
from backend.messages import msg

SPEC_EOF = "STUDIO_SPEC_EOF"
_DATA_SUFFIXES = (".json", ".jsonl", ".csv", ".parquet", ".txt")  # a data file, not a hub id


def word(value: str) -> str:
    """`value` as one shell word; a leading `~` or `~/` stays the home folder of the cluster's user."""
    value = str(value)
    if value == "~":
        return '"$HOME"'
    if value.startswith("~/"):
        rest = value[2:]
        return '"$HOME"' + ("/" + shlex.quote(rest) if rest else "")
    return shlex.quote(value)


def workspace_lines(job_id: str, spec_text: str, options: LaunchOptions) -> list[str]:
    """Set STUDIO_WORKSPACE and write the job's spec into it (as $SPEC)."""
    marker = SPEC_EOF
    while marker in spec_text.splitlines():
        marker += "_"
    body = spec_text if spec_text.endswith("\n") else spec_text + "\n"
    return [
        "# The workspace (jobs, models, studio.db) on the cluster; on storage every machine sees when there are",
        "# several. The studio's own (~/.finetune-studio) on a shared home: the run shows on its Runs page.",
        f"export STUDIO_WORKSPACE={word(options.workdir)}",
        'mkdir -p "$STUDIO_WORKSPACE/launch"',
        f'export SPEC="$STUDIO_WORKSPACE/launch/{job_id}-spec.yaml"',
        f"# The job's spec.yaml, as the studio saved it (job {job_id}):",
        f"cat > \"$SPEC\" <<'{marker}'",
        *body.splitlines(),
        marker,
    ]


def train_args(spec, options: LaunchOptions, rank: str) -> str:
    """The arguments after `studio train "$SPEC"`: the GPUs and machines asked for as the spec's distributed
    layout, and on several machines this one's rank (`rank`: a shell variable) and the main machine."""
    d = spec.distributed
    sets = []
    if options.gpus != d.num_processes:
        sets.append(f"distributed.num_processes={int(options.gpus)}")
    if options.nodes != d.num_machines:
        sets.append(f"distributed.num_machines={int(options.nodes)}")
    if options.nodes > 1:
        sets += [f'distributed.machine_rank="${rank}"', 'distributed.main_process_ip="$MAIN_IP"']
    return " ".join(['--no-queue', *(f"--set {s}" for s in sets)])


def node_workspace_line(rank: str) -> str:
    """On several machines, every one but the main one keeps its own studio.db (its job's state and log; the
    main machine writes the metrics, checkpoints and adapter), beside the main one's."""
    return f'if [ "${rank}" != 0 ]; then export STUDIO_WORKSPACE="$STUDIO_WORKSPACE/nodes/${rank}"; fi'


def _local_paths(spec) -> list[str]:
    from backend.data.sources import source_names
    from backend.spec import DEMO

    paths = []
    candidates = [spec.model.name_or_path, spec.data.dataset_dir]
    for attr in ("train", "eval"):
        candidates += source_names(getattr(spec.data, attr) or "")
    for value in candidates:
        value = str(value or "").strip()
        if value and value != DEMO and (Path(value).expanduser().is_absolute() or value.startswith((".", "uploads/"))
                                        or value.lower().endswith(_DATA_SUFFIXES)):
            paths.append(value)
    return paths


def spec_notes(spec, options: LaunchOptions) -> list[str]:
    notes = []
    paths = _local_paths(spec)
    if paths:
        notes.append(msg("cluster.launch_local_paths", paths=", ".join(paths)))
    d, t = spec.distributed, spec.training
    if (options.gpus, options.nodes) != (d.num_processes, d.num_machines):
        rows = t.batch_size * t.gradient_accumulation_steps
        notes.append(msg("cluster.launch_layout", spec_nodes=d.num_machines, spec_gpus=d.num_processes,
                         nodes=options.nodes, gpus=options.gpus, before=rows * d.world_size,
                         after=rows * options.gpus * options.nodes))
    return notes
