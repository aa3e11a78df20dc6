"""What `studio train`, `studio sweep` and `studio jobs` say to bad input, in process (no training): exit 2, a
message naming the file, field or row, no traceback, and no job left behind."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from backend.resources import DEMO_SPEC
from backend.spec import JobSpec, SpecError
from studio.cli import main
from tests.conftest import ROOT, python_env

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


def test_a_bad_value_given_with_set_is_named_as_the_command_lines(workspace, capsys):
    # the file is fine: "templates/demo.yaml is not a valid job spec" alone sent the user to the wrong place
    code, _, err = run(capsys, workspace, "train", str(DEMO_SPEC), "--set", "method.lora_r=0")
    assert code == 2 and "`method.lora_r`" in err and "(from --set method.lora_r=0)" in err, err
    code, _, err = run(capsys, workspace, "sweep", str(DEMO_SWEEP), "--set", "training.lerning_rate=1")
    assert code == 2 and "(from --set training.lerning_rate=1)" in err, err


def test_jobs_alone_lists_and_an_unknown_state_is_refused(store, workspace, capsys):
    job = store.create_job(JobSpec())
    code, out, err = run(capsys, workspace, "jobs")  # no action: the list (was an AttributeError traceback)
    assert code == 0 and job in out and "queued" in out, err
    with pytest.raises(SystemExit) as exit_:  # was "no jobs yet" with exit 0, though the job is there
        run(capsys, workspace, "jobs", "list", "--state", "bogus")
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "invalid choice: 'bogus'" in err and "succeeded" in err


def test_output_piped_to_a_reader_that_stops_ends_without_a_traceback(workspace):
    proc = subprocess.Popen([sys.executable, "-m", "studio.cli", "fields"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=python_env(), cwd=ROOT)
    proc.stdout.close()  # as `studio fields | head -1` once head has its line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_a_yaml_syntax_error_names_the_line_its_text_and_what_to_check(workspace, tmp_path, capsys):
    spec = tmp_path / "job.yaml"
    spec.write_text("model:\n  name_or_path: demo\ndata:\n  train: demo\n training:\n  num_epochs: 1\n")
    code, _, err = run(capsys, workspace, "train", str(spec))
    assert code == 2 and "job.yaml is not valid YAML: line 5, column 2 (` training:`)" in err, err
    assert "Check the indentation" in err and "<unicode string>" not in err and "^" not in err
    spec.write_text("model: {name_or_path: demo\ndata: {train: demo}\n")  # a brace left open on line 1
    code, _, err = run(capsys, workspace, "train", str(spec))
    assert code == 2 and "line 2, column 5" in err and "from line 1" in err and "Traceback" not in err
    with pytest.raises(SpecError) as refused:  # the Review's YAML box reads the same way
        JobSpec.from_yaml("training:\n\tmax_steps: 2\n")
    assert "line 2, column 1" in str(refused.value) and "tabs" in str(refused.value)


def test_a_spec_file_that_cannot_be_read_or_a_set_value_yaml_cannot_read_is_explained(workspace, tmp_path, capsys):
    spec = tmp_path / "utf16.yaml"
    spec.write_bytes("model: {name_or_path: demo}\n".encode("utf-16"))  # was a UnicodeDecodeError traceback
    for command in ("train", "sweep"):
        code, _, err = run(capsys, workspace, command, str(spec))
        assert code == 2 and "utf16.yaml is not UTF-8 text" in err and "save it as UTF-8" in err, err
    code, _, err = run(capsys, workspace, "train", str(tmp_path))
    assert code == 2 and "is a folder; give the spec file in it" in err
    # a --set value YAML cannot read is taken as text and judged by its field (was a ScannerError traceback)
    code, _, err = run(capsys, workspace, "train", str(DEMO_SPEC), "--set", "training.learning_rate=[")
    assert code == 2 and "`training.learning_rate`: must be a number, got '['" in err, err
    assert JobSpec().with_overrides(["data.placeholders.name=a: b: c"]).data.placeholders["name"] == "a: b: c"


def test_the_stage_refusal_says_what_each_source_was_read_as(workspace, tmp_path, capsys):
    turns = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    data = tmp_path / "kto.json"
    data.write_text(json.dumps([{"messages": turns, "label": label} for label in ("yes", "maybe", "no")]))
    code, _, err = run(capsys, workspace, "train", str(DEMO_SPEC), "--set", f"data.train={data}", "--set", "stage=kto")
    assert code == 2 and "the kto stage needs" in err
    assert "kto.json: messages" in err and "`label` column is not taken as a kto label, as it holds 'maybe'" in err


def test_a_sweep_that_is_not_there_is_named_not_a_traceback(workspace, capsys):
    """`studio sweep --stop` of an unknown id was a FileNotFoundError traceback; --show, --stop and a file with no
    sweep: section said "the sweep: section is not valid" about things that are no section."""
    for args in (("--stop", "sweep-nope"), ("--show", "sweep-nope")):
        code, _, err = run(capsys, workspace, "sweep", *args)
        assert code == 2 and "no sweep sweep-nope in" in err and "studio sweep --show" in err, err
        assert "section is not valid" not in err and not (workspace.root / "sweeps" / "sweep-nope").exists()
    code, _, err = run(capsys, workspace, "sweep", "--stop", "../jobs")
    assert code == 2 and "is not a sweep id" in err and "section" not in err, err
    code, _, err = run(capsys, workspace, "sweep", str(DEMO_SPEC))
    assert code == 2 and "has no sweep: section" in err and "is not valid" not in err, err


def test_a_model_folder_without_weights_or_tokenizer_is_refused_before_any_job(workspace, tmp_path, capsys):
    # both trained to an `unexpected` "ValueError: Couldn't instantiate the backend tokenizer" in the worker
    from backend.training.model import check_model_source

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "llama"}')
    code, _, err = run(capsys, workspace, "train", str(DEMO_SPEC), "--set", f"model.name_or_path={folder}")
    assert code == 2 and f"{folder} has config.json but no weights (*.safetensors or *.bin)" in err, err
    (folder / "model.safetensors").write_bytes(b"")
    code, _, err = run(capsys, workspace, "train", str(DEMO_SPEC), "--set", f"model.name_or_path={folder}")
    assert code == 2 and f"{folder} has no tokenizer (tokenizer.json" in err, err
    assert not workspace.jobs_dir.exists() or not any(workspace.jobs_dir.iterdir())
    assert check_model_source(str(workspace.models_dir / "demo")) is None  # a whole model folder passes


def test_a_port_out_of_range_and_a_hub_export_without_repo_are_explained(workspace, capsys):
    for args in (["serve-model", "some-job", "--port", "99999"], ["tensorboard", "--port", "x"]):
        with pytest.raises(SystemExit) as exit_:  # serve-model: was an OverflowError traceback from bind()
            run(capsys, workspace, *args)
        assert exit_.value.code == 2 and "is not a port number" in capsys.readouterr().err
    job = workspace.jobs_dir / "job-1"
    job.mkdir(parents=True)
    (job / "spec.yaml").write_text(JobSpec().to_yaml())
    code, _, err = run(capsys, workspace, "export", str(job), "--to", "hub")  # was "'' is not a hub repository id"
    assert code == 2 and "--to hub needs --repo" in err


def test_a_worker_for_no_jobs_at_a_time_is_refused(workspace, capsys):
    # serve-worker --max-jobs 0 ran forever starting nothing
    for args in (["serve-worker", "--max-jobs", "0"], ["--max-upload-mb", "-5"]):
        with pytest.raises(SystemExit) as exit_:
            run(capsys, workspace, *args)
        assert exit_.value.code == 2 and "is not a whole number of at least 1" in capsys.readouterr().err


def test_a_cancelled_run_says_so_and_how_to_resume(store, capsys):
    from studio.cli.train import _result

    job = store.create_job(JobSpec())
    store.request_cancel(job)  # as Ctrl-C during loading: no error to print ("cancelled: " and nothing after)
    assert _result(store, job) == 130
    err = capsys.readouterr().err
    assert err.splitlines()[0] == "cancelled" and f"studio jobs resume {job}" in err
    assert "from step 0: no checkpoint was saved" in err  # not "from its last checkpoint" when there is none
