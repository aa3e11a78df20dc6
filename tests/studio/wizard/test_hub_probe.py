"""The Review's hub probe for an uncached model is remembered a minute per model id (studio.wizard.hub_probe): an
offline machine no longer waits for the probe's timeout at every field change. A clock of the test's own."""

from __future__ import annotations

from backend.hub import unreachable_reason
from studio.wizard.hub_probe import HubProbes


def test_the_hub_probe_is_asked_once_a_minute_per_model_and_the_cache_every_time(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the real probe, answered without the network
    now, asked = [1000.0], []

    def probe(timeout_s):
        asked.append(timeout_s)
        return unreachable_reason(timeout_s)

    probes = HubProbes(ttl_s=60, clock=lambda: now[0], reason_of=probe)
    first = probes.unreachable("studio-tests/not-cached", cache_dir=tmp_path)
    assert "studio-tests/not-cached is not in this machine's Hugging Face cache" in first
    now[0] += 59
    assert probes.unreachable(" studio-tests/not-cached", cache_dir=tmp_path) == first and len(asked) == 1
    probes.unreachable("studio-tests/other", cache_dir=tmp_path)  # another model: its own probe
    assert len(asked) == 2
    now[0] += 2  # past the minute: asked again
    assert probes.unreachable("studio-tests/not-cached", cache_dir=tmp_path) == first and len(asked) == 3

    # Downloaded meanwhile: taken at once, whatever the probe said.
    repo = tmp_path / "models--studio-tests--not-cached"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("0" * 40)
    (repo / "snapshots" / ("0" * 40)).mkdir(parents=True)
    (repo / "snapshots" / ("0" * 40) / "config.json").write_text("{}")
    assert probes.unreachable("studio-tests/not-cached", cache_dir=tmp_path) is None
    assert probes.unreachable("demo") is None and len(asked) == 3  # a local name: no probe
