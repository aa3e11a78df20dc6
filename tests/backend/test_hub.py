"""A hub model id offline: refused at once when it is not in the cache (transformers retried for over a minute)."""

import time

from backend.hub import model_unreachable
from backend.resources import DEMO_SPEC
from studio.cli import main


def test_an_uncached_hub_model_offline_is_refused_and_a_cached_one_is_not(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    why = model_unreachable("studio-tests/not-cached", cache_dir=tmp_path)
    assert "studio-tests/not-cached is not in this machine's Hugging Face cache" in why and "HF_HUB_OFFLINE" in why
    repo = tmp_path / "models--studio-tests--cached"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40)
    (repo / "snapshots" / ("0" * 40)).mkdir(parents=True)
    (repo / "snapshots" / ("0" * 40) / "config.json").write_text("{}")
    assert model_unreachable("studio-tests/cached", cache_dir=tmp_path) is None
    assert model_unreachable("demo") is None and model_unreachable("./models/x") is None


def test_studio_train_refuses_it_before_any_job(monkeypatch, workspace, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.monotonic()
    code = main(["--workspace", str(workspace.root), "train", str(DEMO_SPEC),
                 "--set", "model.name_or_path=studio-tests/not-cached"])
    err = capsys.readouterr().err
    assert code == 2 and "`model.name_or_path`: studio-tests/not-cached is not in" in err, err
    assert "hf download studio-tests/not-cached" in err and time.monotonic() - started < 20
    assert not workspace.jobs_dir.exists() or not any(workspace.jobs_dir.iterdir())
