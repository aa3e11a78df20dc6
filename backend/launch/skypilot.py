"""The SkyPilot launch file: a task YAML (`sky launch FILE`) that runs the job's spec with `studio train`.

Keys as skypilot's task schema has them (sky/utils/schemas.py, 0.14.1: name, resources, num_nodes, envs,
setup, run; checked against it in tests/backend/launch/). `run` runs on every machine of the task: there
$SKYPILOT_NODE_RANK is the machine's rank and the first line of $SKYPILOT_NODE_IPS the main machine.
STUDIO_WORKSPACE is in `envs`, so `sky launch --env STUDIO_WORKSPACE=/mnt/shared/studio` changes it.
"""

from __future__ import annotations

from datetime import date

import yaml

from backend.launch.options import DEFAULT_GPU_TYPE, LaunchOptions
from backend.launch.script import node_workspace_line, train_args, word, workspace_lines
from backend.messages import msg


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None  # the scripts as literal blocks, as people write them
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def skypilot_task(job_id: str, spec_text: str, spec, o: LaunchOptions) -> tuple[str, list[str]]:
    resources: dict = {"accelerators": f"{o.gpu_type or DEFAULT_GPU_TYPE}:{o.gpus}"}
    if o.cpus:
        resources["cpus"] = f"{o.cpus}+"
    if o.mem_gb:
        resources["memory"] = f"{o.mem_gb}+"
    setup = ["set -euo pipefail", f"pip install {word(o.pip)}"]
    run = ["set -euo pipefail",
           # envs are not expanded: a workspace given as ~/... becomes the home folder here
           'case "$STUDIO_WORKSPACE" in "~") STUDIO_WORKSPACE="$HOME" ;; '
           '"~/"*) STUDIO_WORKSPACE="$HOME/${STUDIO_WORKSPACE#"~/"}" ;; esac',
           *(line for line in workspace_lines(job_id, spec_text, o) if not line.startswith("export STUDIO_WORKSPACE="))]
    if o.nodes > 1:
        run += ['MAIN_IP=$(echo "$SKYPILOT_NODE_IPS" | sed -n 1p)', "export MAIN_IP",
                node_workspace_line("SKYPILOT_NODE_RANK")]
    run.append(f'studio train "$SPEC" {train_args(spec, o, "SKYPILOT_NODE_RANK")}')
    task = {
        "name": o.name or f"studio-{job_id}",
        "resources": resources,
        "num_nodes": o.nodes,
        "envs": {"STUDIO_WORKSPACE": o.workdir},
        "setup": "\n".join(setup) + "\n",
        "run": "\n".join(run) + "\n",
    }
    header = (f"# finetune-studio job {job_id} on SkyPilot: sky launch this file. Written by `studio export-launch "
              f"{job_id} --to skypilot` on {date.today().isoformat()};\n# it trains the job's spec (in run) with "
              f"`studio train`, one process per GPU through accelerate, {o.nodes} machine(s) x {o.gpus} GPU(s).\n")
    text = header + yaml.dump(task, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000)
    notes = [msg("cluster.launch_not_skypilot", option=option)
             for option, value in (("time", o.time), ("partition", o.partition), ("account", o.account),
                                   ("venv", o.venv)) if value]
    return text, notes
