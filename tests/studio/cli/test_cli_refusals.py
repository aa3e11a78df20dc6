"""What `studio train`, `studio sweep` and `studio jobs` say to bad input, in process (no training): exit 2, a
message naming the file, field or row, no traceback, and no job left behind."""

from pathlib import Path

from backend.resources import DEMO_SPEC
from studio.cli import main

DEMO_SWEEP = Path(DEMO_SPEC).with_name("demo_sweep.yaml")


def run(capsys, workspace, *args):
    code = main(["--workspace", str(workspace.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_data_of_the_wrong_kind_for_the_stage_is_refused_before_any_job(workspace, capsys):
    # the demo's conversations for dpo: refused with exit 2 (README), not a job made and failed (exit 1)
    code, _, err = run(capsys, workspace, "train", str(DEMO_SPEC), "--set", "stage=dpo")
    assert code == 2, err
    assert "the dpo stage needs preference pairs" in err and "sft stage" in err
    code, _, err = run(capsys, workspace, "sweep", str(DEMO_SWEEP), "--set", "stage=kto")
    assert code == 2 and "the kto stage needs" in err, err
    assert not workspace.jobs_dir.exists() or not any(workspace.jobs_dir.iterdir())
