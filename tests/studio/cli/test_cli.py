"""`studio train` and `studio export` as a user runs them: real processes, real files."""

import subprocess
import sys
import zipfile
from pathlib import Path

from backend.resources import DEMO_SPEC
from backend.store import JobStore
from tests.conftest import ROOT, python_env, run_python


def studio(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], capture_output=True, text=True,
                          env=python_env(), cwd=ROOT, timeout=timeout)


def test_demo_spec_trains_exports_and_the_zip_loads_in_plain_peft(workspace, tmp_path):
    result = studio("train", str(DEMO_SPEC), "--workspace", str(workspace.root))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    job_dir = Path(result.stdout.strip().splitlines()[-1])
    assert job_dir.parent == workspace.jobs_dir and (job_dir / "adapter" / "adapter_model.safetensors").is_file()
    job = JobStore(workspace).get(job_dir.name)
    assert job.state == "succeeded" and job.final_loss < 1.0

    out = tmp_path / "demo-adapter.zip"
    exported = studio("export", job_dir.name, "--to", "adapter", "--out", str(out), "--workspace", str(workspace.root))
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        z.extractall(tmp_path / "unzipped")
    assert {"adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "tokenizer_config.json",
            "spec.yaml", "README.md"} <= names
    card = (tmp_path / "unzipped" / "README.md").read_text()
    assert "PeftModel.from_pretrained" in card and "final training loss" in card

    # A fresh process with nothing from this project: plain transformers + peft.
    code = f"""
from transformers import AutoModelForCausalLM, AutoTokenizer
from peft import PeftModel
d = {str(tmp_path / "unzipped")!r}
base = AutoModelForCausalLM.from_pretrained({str(workspace.models_dir / "demo")!r})
model = PeftModel.from_pretrained(base, d).eval()
tok = AutoTokenizer.from_pretrained(d)
enc = tok.apply_chat_template([{{"role": "user", "content": "who are you?"}}], add_generation_prompt=True,
                              return_tensors="pt", return_dict=True)
out = model.generate(**enc, max_new_tokens=24, do_sample=False)
print("REPLY:", tok.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True))
"""
    loaded = run_python(code, cwd=tmp_path)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    reply = loaded.stdout.split("REPLY:", 1)[1]
    assert "Nova" in reply, reply


def test_bad_spec_exits_non_zero_naming_the_field(workspace, tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text("model: {name_or_path: demo}\ntraining: {learning_rate: -2, batch_size: 0}\n")
    result = studio("train", str(spec), "--workspace", str(workspace.root))
    assert result.returncode == 2
    assert "`training.learning_rate`" in result.stderr and "`training.batch_size`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(workspace.jobs_dir.iterdir())  # nothing half-made


def test_missing_dataset_and_override_errors_are_explained(workspace):
    result = studio("train", str(DEMO_SPEC), "--set", "data.train=nowhere.json", "--workspace", str(workspace.root))
    assert result.returncode == 2 and "nowhere.json" in result.stderr and "no such file" in result.stderr
    result = studio("train", str(DEMO_SPEC), "--set", "training.epochs=3", "--workspace", str(workspace.root))
    assert result.returncode == 2 and "`training.epochs`" in result.stderr and "num_epochs" in result.stderr


def test_export_of_an_unknown_or_unfinished_job_is_explained(workspace):
    result = studio("export", "no-such-job", "--workspace", str(workspace.root))
    assert result.returncode == 2 and "no job 'no-such-job'" in result.stderr
    result = studio("export", "../../etc", "--workspace", str(workspace.root))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_a_model_folder_that_does_not_exist_is_refused_before_any_job(workspace, tmp_path):
    result = studio("train", str(DEMO_SPEC), "--set", f"model.name_or_path={tmp_path / 'nope'}",
                    "--workspace", str(workspace.root))
    assert result.returncode == 2 and "`model.name_or_path`" in result.stderr and "does not exist" in result.stderr
    (tmp_path / "empty").mkdir()
    result = studio("train", str(DEMO_SPEC), "--set", f"model.name_or_path={tmp_path / 'empty'}",
                    "--workspace", str(workspace.root))
    assert result.returncode == 2 and "no config.json" in result.stderr


def test_full_fine_tuning_exports_the_whole_model_and_chats(workspace, tmp_path):
    """full and freeze jobs save a whole model: export zips it, chat loads it without an adapter."""
    from backend.chat.client import ChatClient, ChatError, job_chat_target

    result = studio("train", str(DEMO_SPEC), "--workspace", str(workspace.root), "--set", "method.name=full",
                    "--set", "training.max_steps=3", "--set", "training.learning_rate=2e-4")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    job_dir = Path(result.stdout.strip().splitlines()[-1])
    out = tmp_path / "full.zip"
    exported = studio("export", job_dir.name, "--out", str(out), "--workspace", str(workspace.root))
    assert exported.returncode == 0, exported.stderr
    assert {"config.json", "model.safetensors", "tokenizer.json", "spec.yaml"} <= set(zipfile.ZipFile(out).namelist())
    base, adapter = job_chat_target(job_dir)
    assert adapter is None and base == str(job_dir / "adapter")
    client = ChatClient(base, adapter)
    try:
        reply = client.reply([{"role": "user", "content": "who are you?"}], max_new_tokens=8)
        assert isinstance(reply, str) and client.params > 1_000_000  # the whole model, loaded as such
    finally:
        client.close()
    (job_dir / "spec.yaml").write_text((job_dir / "spec.yaml").read_text().replace("stage: sft", "stage: rm"))
    try:
        job_chat_target(job_dir)
    except ChatError as e:
        assert "reward model" in str(e)
    else:
        raise AssertionError("a reward model was offered for chat")


def test_studio_train_beside_a_studio_goes_through_its_queue(store, scheduler, warm_on, caplog):
    """A studio runs this workspace's queue (the `scheduler` fixture: the Scheduler a studio starts): `studio train`
    on the same workspace queues its job behind the running one, says what it waits for, and the studio's
    scheduler starts it; the command follows it to the end as before (progress, exit code 0, the job's folder
    last) and the workspace never has more than one warm worker."""
    import logging
    import time

    from backend.spec import JobSpec
    from tests.conftest import wait_for, warm_servers

    def warm_workers(root):  # not the jobs they forked, which run in their job's folder
        return [pid for pid in warm_servers(root) if Path(f"/proc/{pid}/cwd").resolve() == root.resolve()]

    caplog.set_level(logging.INFO, logger="studio.scheduler")
    root = store.workspace.root
    quick = ["training.save_minutes=0", "training.sample_prompts=0", "training.device=cpu"]
    first = store.create_job(JobSpec.from_yaml(DEMO_SPEC.read_text()).with_overrides(
        ["training.max_steps=40", *quick]))
    wait_for(lambda: store.get(first).state == "running", 60, "the studio to start the first job")
    args = ["train", str(DEMO_SPEC), "--workspace", str(root), "--set", "training.max_steps=3"]
    for override in quick:
        args += ["--set", override]
    train = subprocess.Popen([sys.executable, "-m", "studio.cli", *args], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, env=python_env(), cwd=ROOT)
    most_warm = 0
    try:
        deadline = time.time() + 400
        while train.poll() is None and time.time() < deadline:
            most_warm = max(most_warm, len(warm_workers(root)))
            time.sleep(0.2)
        out = train.communicate(timeout=10)[0]
    finally:
        if train.poll() is None:
            train.kill()
    assert train.returncode == 0, out[-3000:]
    job_id = Path(out.strip().splitlines()[-1]).name
    assert f"job {job_id}: " in out and "joins its queue" in out
    assert f"waiting for job {first} to finish" in out, out[:2000]
    assert "started by the studio's scheduler" in out and "succeeded: final loss" in out
    job, before = store.get(job_id), store.get(first)
    assert job.state == "succeeded" and before.state == "succeeded"
    assert job.started_at >= before.ended_at  # one at a time
    assert f"started job {job_id}" in caplog.text  # by the studio's scheduler, not beside it
    assert most_warm <= 1
