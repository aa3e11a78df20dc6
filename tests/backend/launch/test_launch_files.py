"""`studio export-launch JOB --to slurm|skypilot` (backend/launch/): the files are parsed and their scripts run
with bash, with the cluster's own commands (studio on the nodes, srun, scontrol) replaced by small scripts that
record what they were asked: the spec each machine trains, its arguments, rank and workspace. No cluster here."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from backend.spec import JobSpec
from backend.store import JobStore
from backend.workspace import Workspace
from studio.cli import main

ROOT = Path(__file__).resolve().parents[3]
SCHEMA = json.loads((Path(__file__).parent / "skypilot_task_schema.json").read_text())
# `studio` on a cluster node: records its arguments, STUDIO_WORKSPACE and the spec file it was given.
STUDIO_SHIM = """#!/bin/bash
out="$RECORD/node-${SLURM_NODEID:-${SKYPILOT_NODE_RANK:-0}}"
mkdir -p "$out"
printf '%s\\n' "$@" > "$out/args"
printf '%s' "$STUDIO_WORKSPACE" > "$out/workspace"
cp "$2" "$out/spec.yaml"
"""
SRUN_SHIM = """#!/bin/bash
while [[ "$1" == --* ]]; do shift; done
for rank in 0 1; do SLURM_NODEID=$rank "$@" || exit 1; done
"""
# Line by line, as scontrol writes: a reader that stops after the first line (head -n 1) leaves the second write
# a SIGPIPE, which `set -o pipefail` turns into the script's end.
SCONTROL_SHIM = """#!/bin/bash
printf 'gpu-node-07\\n'
sleep 0.2
printf 'gpu-node-08\\n'
"""


@pytest.fixture
def job(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    spec = JobSpec.from_yaml((ROOT / "templates" / "demo.yaml").read_text()).with_overrides(["training.max_steps=3"])
    job_id = JobStore(ws).create_job(spec)
    return ws, job_id, ws.jobs_dir / job_id


def export(ws, job_id, *options, capsys=None) -> tuple[int, str, str]:
    code = main(["export-launch", job_id, "--workspace", str(ws.root), *options])
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out, err


def run_on_cluster(tmp_path, script: str, env: dict | None = None) -> Path:
    """Run `script` with bash as a node would, with the cluster's commands replaced (module docstring)."""
    bin_dir, record = tmp_path / "bin", tmp_path / "record"
    bin_dir.mkdir(exist_ok=True)
    for name, text in (("studio", STUDIO_SHIM), ("srun", SRUN_SHIM), ("scontrol", SCONTROL_SHIM)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(stat.S_IRWXU)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    full = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(home), "RECORD": str(record),
            "SLURM_JOB_NODELIST": "gpu-node-[07-08]", **(env or {})}
    subprocess.run(["bash", "-c", script], env=full, cwd=tmp_path, check=True, timeout=30)
    return record


def sbatch_options(script: str) -> dict[str, str]:
    return dict(line[len("#SBATCH --"):].split("=", 1) for line in script.splitlines() if line.startswith("#SBATCH"))


def test_slurm_script_trains_the_job_spec(job, tmp_path, capsys):
    ws, job_id, job_dir = job
    code, out, err = export(ws, job_id, "--to", "slurm", "--gpus", "2", "--partition", "gpu", "--time", "04:00:00",
                            "--cpus", "8", "--mem-gb", "64", capsys=capsys)
    assert code == 0, err
    path = job_dir / "exports" / f"{job_id}-slurm.sbatch"
    assert out.strip() == str(path) and f"sbatch {path.name}" in err
    assert "1 machine(s) x 1 process(es)" in err and "16 rows instead of 8" in err  # 2 GPUs: the batch doubles
    script = path.read_text()
    assert script.startswith("#!/bin/bash\n") and os.access(path, os.X_OK)
    assert subprocess.run(["bash", "-n", str(path)]).returncode == 0
    assert sbatch_options(script) == {"job-name": f"studio-{job_id}", "nodes": "1", "ntasks-per-node": "1",
                                      "gpus-per-node": "2", "cpus-per-task": "8", "mem": "64G", "time": "04:00:00",
                                      "partition": "gpu", "output": "%x-%j.out"}
    # every #SBATCH line comes before the first command (sbatch stops reading them there)
    first_command = next(i for i, line in enumerate(script.splitlines()) if line and not line.startswith("#"))
    assert max(i for i, line in enumerate(script.splitlines()) if line.startswith("#SBATCH")) < first_command

    node = run_on_cluster(tmp_path, script) / "node-0"
    assert (node / "spec.yaml").read_text() == (job_dir / "spec.yaml").read_text()
    assert (node / "args").read_text().split("\n")[:-1] == [
        "train", str(tmp_path / "home" / ".finetune-studio" / "launch" / f"{job_id}-spec.yaml"), "--no-queue",
        "--set", "distributed.num_processes=2"]
    assert (node / "workspace").read_text() == str(tmp_path / "home" / ".finetune-studio")


def test_slurm_several_machines_run_one_rank_each(job, tmp_path, capsys):
    ws, job_id, job_dir = job
    assert export(ws, job_id, "--to", "slurm", "--gpus", "4", "--nodes", "2", "--gpu-type", "H100",
                  "--workdir", str(tmp_path / "shared"), capsys=capsys)[0] == 0
    script = (job_dir / "exports" / f"{job_id}-slurm.sbatch").read_text()
    assert sbatch_options(script)["gpus-per-node"] == "H100:4" and sbatch_options(script)["nodes"] == "2"
    record = run_on_cluster(tmp_path, script)
    for rank in (0, 1):
        args = (record / f"node-{rank}" / "args").read_text().split("\n")[:-1]
        assert args[2:] == ["--no-queue", "--set", "distributed.num_processes=4", "--set", "distributed.num_machines=2",
                            "--set", f"distributed.machine_rank={rank}", "--set",
                            "distributed.main_process_ip=gpu-node-07"]
        assert (record / f"node-{rank}" / "spec.yaml").read_text() == (job_dir / "spec.yaml").read_text()
        expected_ws = tmp_path / "shared" if rank == 0 else tmp_path / "shared" / "nodes" / "1"
        assert (record / f"node-{rank}" / "workspace").read_text() == str(expected_ws)


def _validate(instance: dict, schema: dict) -> None:
    """Against skypilot's schema with jsonschema (installed with ray); without it, its keys and their types."""
    try:
        import jsonschema
    except ImportError:
        types = {"string": str, "integer": int, "number": (int, float), "object": dict, "array": list, "boolean": bool}
        for key, value in instance.items():
            assert key in schema["properties"], f"{key} is no key of skypilot's schema"
            rule = schema["properties"][key]
            allowed = [r.get("type") for r in rule.get("anyOf", [rule])]
            assert any(isinstance(value, types[t]) for t in allowed if t in types), (key, value, allowed)
        return
    jsonschema.validate(instance, schema)


def test_skypilot_task_follows_skypilots_schema(job, tmp_path, capsys):
    ws, job_id, job_dir = job
    code, _, err = export(ws, job_id, "--to", "skypilot", "--gpus", "8", "--nodes", "2", "--cpus", "32",
                          "--mem-gb", "256", "--time", "01:00:00", "--out", str(tmp_path), capsys=capsys)
    assert code == 0, err
    assert "`--time` is a Slurm option" in err
    task = yaml.safe_load((tmp_path / f"{job_id}-skypilot.yaml").read_text())
    _validate(task, SCHEMA["task"])
    _validate(task["resources"], SCHEMA["resources"])
    assert task["name"] == f"studio-{job_id}" and task["num_nodes"] == 2
    assert task["resources"] == {"accelerators": "H100:8", "cpus": "32+", "memory": "256+"}
    assert task["envs"] == {"STUDIO_WORKSPACE": "~/.finetune-studio"}
    assert "pip install finetune-studio" in task["setup"]
    for part in ("setup", "run"):
        assert subprocess.run(["bash", "-n"], input=task[part], text=True).returncode == 0
    for rank in (0, 1):  # `run` runs on every machine of the task
        record = run_on_cluster(tmp_path, task["run"], {
            "STUDIO_WORKSPACE": task["envs"]["STUDIO_WORKSPACE"], "SKYPILOT_NODE_RANK": str(rank),
            "SKYPILOT_NODE_IPS": "10.0.0.5\n10.0.0.6"})
        node = record / f"node-{rank}"
        assert (node / "spec.yaml").read_text() == (job_dir / "spec.yaml").read_text()
        args = (node / "args").read_text().split("\n")[:-1]
        assert args[-4:] == ["--set", f"distributed.machine_rank={rank}", "--set", "distributed.main_process_ip=10.0.0.5"]
        home_ws = tmp_path / "home" / ".finetune-studio"
        assert (node / "workspace").read_text() == str(home_ws if rank == 0 else home_ws / "nodes" / "1")


def test_values_cannot_inject_commands(job, tmp_path, capsys):
    ws, job_id, job_dir = job
    workdir = tmp_path / "my ws $(touch PWNED1)`touch PWNED2`'; touch PWNED3; '"
    venv = tmp_path / "venv $(touch PWNED4)"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "activate").write_text("")
    for target in ("slurm", "skypilot"):
        code, _, err = export(ws, job_id, "--to", target, "--workdir", str(workdir), "--venv", str(venv),
                              "--pip", "finetune-studio; touch PWNED5", capsys=capsys)
        assert code == 0, err
    script = (job_dir / "exports" / f"{job_id}-slurm.sbatch").read_text()
    record = run_on_cluster(tmp_path, script)
    assert (record / "node-0" / "workspace").read_text() == str(workdir)
    task = yaml.safe_load((job_dir / "exports" / f"{job_id}-skypilot.yaml").read_text())
    assert task["envs"]["STUDIO_WORKSPACE"] == str(workdir)
    assert shlex.split(task["setup"].splitlines()[-1]) == ["pip", "install", "finetune-studio; touch PWNED5"]
    record = run_on_cluster(tmp_path, task["run"], {"STUDIO_WORKSPACE": task["envs"]["STUDIO_WORKSPACE"]})
    assert (record / "node-0" / "workspace").read_text() == str(workdir)
    assert not list(tmp_path.rglob("PWNED*"))
    # names go on #SBATCH lines, which no shell reads: only safe characters, and no newline anywhere
    for option, value in (("--name", "x $(reboot)"), ("--partition", "gpu\n#SBATCH --x"), ("--workdir", "a\nrm -rf ~")):
        code, _, err = export(ws, job_id, "--to", "slurm", option, value, capsys=capsys)
        assert code == 2 and f"`{option}`" in err and "Traceback" not in err


def test_a_spec_line_equal_to_the_end_marker_moves_the_marker():
    from backend.launch.options import LaunchOptions
    from backend.launch.script import workspace_lines

    lines = workspace_lines("j1", "a: 1\nSTUDIO_SPEC_EOF\n", LaunchOptions())
    assert lines[-1] == "STUDIO_SPEC_EOF_" and "<<'STUDIO_SPEC_EOF_'" in lines[-4]


@pytest.mark.parametrize(("options", "expected"), [
    (["--gpus", "0"], "`--gpus` must be a whole number of at least 1, got 0"),
    (["--gpus", "-1"], "`--gpus` must be a whole number of at least 1, got -1"),
    (["--nodes", "0"], "`--nodes` must be a whole number of at least 1"),
    (["--time", "4h"], "`--time` must be HH:MM:SS or D-HH:MM:SS"),
    (["--time", "04:75:00"], "`--time` must be HH:MM:SS or D-HH:MM:SS"),
])
def test_bad_options_are_named(job, capsys, options, expected):
    ws, job_id, job_dir = job
    code, _, err = export(ws, job_id, "--to", "slurm", *options, capsys=capsys)
    assert code == 2 and expected in err and "Traceback" not in err
    assert not (job_dir / "exports").exists()


def test_unknown_job_and_local_paths(job, tmp_path, capsys):
    ws, job_id, job_dir = job
    code, _, err = export(ws, "20990101-000000-nothere", "--to", "slurm", capsys=capsys)
    assert code == 2 and "no job '20990101-000000-nothere'" in err and str(ws.jobs_dir) in err
    data = tmp_path / "rows.json"
    data.write_text(json.dumps([{"instruction": "hi", "output": "hello"}] * 8))
    spec = JobSpec.from_yaml((ROOT / "templates" / "demo.yaml").read_text()).with_overrides([f"data.train={data}"])
    other = JobStore(ws).create_job(spec)
    code, _, err = export(ws, other, "--to", "skypilot", capsys=capsys)
    assert code == 0 and re.search(rf"the spec reads {re.escape(str(data))} from this machine", err)
