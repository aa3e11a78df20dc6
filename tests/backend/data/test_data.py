"""From a spec's data section to examples: sources (files, folders, dataset_info.json entries,
hub ids), mixing, duplicates, shuffling, eval splits; LLaMA-Factory's datasets as they are."""

import json

import pytest

from backend.data.formats import convert, fill_placeholders, placeholders_in
from backend.data.inspect import inspect, scan
from backend.data.load import as_sft, load_conversations, load_data
from backend.data.read import DataError
from backend.data.registry import entry_source, local_entries
from backend.data.sources import parse_sources, resolve_path
from backend.spec import DataSpec
from tests.conftest import SHARED_DATASETS

needs_shared = pytest.mark.skipif(not (SHARED_DATASETS / "dataset_info.json").is_file(),
                                  reason="../shared/datasets is not beside this clone")
LF = SHARED_DATASETS


def write_json(path, rows):
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def alpaca_rows(n, tag="q"):
    return [{"instruction": f"{tag}{i}", "input": "", "output": f"a{i}"} for i in range(n)]


def test_placeholders_are_found_and_filled():
    rows = [{"instruction": "who?", "output": "I am {{name}} by {{ author }}."}]
    assert placeholders_in(rows) == ["name", "author"]
    out = convert(rows, placeholders={"name": "Nova", "author": "Acme"})
    assert out.conversations[0][-1]["content"] == "I am Nova by Acme."
    assert fill_placeholders("{{name}} {{other}}", {"name": "N"}) == "N {{other}}"


def test_demo_dataset_is_bilingual_and_fills_the_identity():
    out = load_conversations(resolve_path("demo"), DataSpec(placeholders={"name": "Nova", "author": "Acme"}))
    assert len(out.conversations) == 91 and not out.skipped
    replies = " ".join(c[-1]["content"] for c in out.conversations)
    assert "{{" not in replies and "Nova" in replies and "我是 Nova" in replies


def test_eval_split_as_a_share_or_a_count(tmp_path):
    share = load_data(DataSpec(eval_split=0.1), None)
    assert len(share.eval) == 9 and len(share.train) == 82
    count = load_data(DataSpec(eval_split=20), None)
    assert len(count.eval) == 20 and len(count.train) == 71
    assert not {repr(e) for e in count.eval} & {repr(e) for e in count.train}
    one = write_json(tmp_path / "one.json", alpaca_rows(1))
    with pytest.raises(DataError, match="`data.eval_split` 0.5 leaves no training rows"):
        load_data(DataSpec(train=str(one), eval_split=0.5), None)


def test_separate_eval_file(tmp_path):
    ev = write_json(tmp_path / "ev.json", alpaca_rows(5, "e"))
    loaded = load_data(DataSpec(eval=str(ev)), None)
    assert len(loaded.train) == 91 and len(loaded.eval) == 5


def test_shuffle_seed_decides_the_order(tmp_path):
    a = load_data(DataSpec(seed=1), None).train
    b = load_data(DataSpec(seed=1), None).train
    c = load_data(DataSpec(seed=2), None).train
    plain = load_data(DataSpec(shuffle=False), None).train
    assert a == b and a != c and sorted(map(repr, a)) == sorted(map(repr, c))
    assert plain[0]["messages"][-1]["content"] == convert(json.loads(resolve_path("demo").read_text())).examples[0][
        "messages"][-1]["content"]


def test_mixing_two_sources_by_share_and_by_count(tmp_path):
    a = write_json(tmp_path / "a.json", alpaca_rows(100, "a"))
    b = tmp_path / "b.jsonl"
    b.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"b{i}"},
                                                    {"role": "assistant", "content": "ok"}]}) for i in range(40)))
    loaded = load_data(DataSpec(train=f"{a},{b}", mix=[0.25, 10]), None)
    firsts = [e["messages"][0]["content"][0] for e in loaded.train]
    assert firsts.count("a") == 25 and firsts.count("b") == 10
    assert [s.taken for s in loaded.sources] == [25, 10]
    assert [s.format for s in loaded.sources] == ["alpaca", "messages"]
    # More than there is: all of it, with a warning in the log.
    assert len(load_data(DataSpec(train=f"{a},{b}", mix=[1.0, 500]), None).train) == 140


def test_sources_of_different_kinds_cannot_be_mixed(tmp_path):
    a = write_json(tmp_path / "a.json", alpaca_rows(3))
    p = write_json(tmp_path / "p.json", [{"instruction": "q", "chosen": "good", "rejected": "bad"}])
    with pytest.raises(DataError, match=r"cannot be mixed: a.json is alpaca \(sft\), p.json is preference"):
        load_data(DataSpec(train=f"{a},{p}"), None)
    # An eval set of another kind is named as the eval data, not as a mix the user never made.
    with pytest.raises(DataError, match=r"eval data cannot evaluate this training data: p.json is preference "
                                        r"\(preference\), the training rows are sft"):
        load_data(DataSpec(train=str(a), eval=str(p)), None)


def test_exact_duplicates_are_dropped_when_asked(tmp_path):
    a = write_json(tmp_path / "a.json", alpaca_rows(5) + alpaca_rows(3))
    assert len(load_data(DataSpec(train=str(a)), None).train) == 8
    loaded = load_data(DataSpec(train=str(a), dedupe=True), None)
    assert len(loaded.train) == 5 and loaded.duplicates == 3
    report = inspect(parse_sources(DataSpec(train=str(a)), None)[0], dedupe=True)
    assert report.valid_rows == 5 and report.duplicates == 3
    assert [e["row"] for e in report.errors] == [6, 7, 8]


def test_relative_paths_are_found_in_the_workspace(tmp_path):
    (tmp_path / "uploads").mkdir()
    write_json(tmp_path / "uploads" / "x.json", alpaca_rows(2))
    assert len(load_data(DataSpec(train="uploads/x.json"), tmp_path).train) == 2
    with pytest.raises(DataError, match=r"nope.json: no such file or folder \(also looked in"):
        load_data(DataSpec(train="nope.json"), tmp_path)


def test_hub_ids_fail_fast_and_clearly_offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (source,) = parse_sources(DataSpec(train="someone/some-dataset", subset="en", split="test"), None)
    assert (source.hub, source.subset, source.split) == ("someone/some-dataset", "en", "test")
    with pytest.raises(DataError, match="cannot reach the Hugging Face hub to fetch dataset 'someone/some-dataset'"):
        inspect(source)


def test_sft_stage_takes_the_chosen_replies_of_preference_data(tmp_path):
    p = write_json(tmp_path / "p.json", [{"instruction": "q", "chosen": "good", "rejected": "bad"}])
    train, _, note = as_sft(load_data(DataSpec(train=str(p)), None))
    assert train[0]["messages"][-1]["content"] == "good" and "chosen" in note
    t = tmp_path / "t.jsonl"
    t.write_text('{"text": "just a document"}\n')
    with pytest.raises(DataError, match="plain text .* sft stage needs conversations"):
        as_sft(load_data(DataSpec(train=str(t)), None))


def test_scan_streams_partial_reports_and_keeps_a_bounded_sample(tmp_path):
    path = tmp_path / "big.jsonl"
    with path.open("w") as f:
        for i in range(30_000):
            row = {"instruction": f"q{i}", "output": "" if i % 1000 == 7 else f"a{i}"}
            f.write(json.dumps(row) + "\n")
    (source,) = parse_sources(DataSpec(train=str(path)), None)
    snapshots, final = [], None
    for final in scan(source, every_s=0.01):  # one report, updated as the scan goes
        snapshots.append((final.rows, final.done))
    assert len(snapshots) > 1 and [d for _, d in snapshots] == [False] * (len(snapshots) - 1) + [True]
    assert [n for n, _ in snapshots] == sorted(n for n, _ in snapshots)
    assert final.rows == 30_000 and final.valid_rows == 29_970 and final.errors_total == 30
    assert final.errors[0] == {"row": 8, "field": "output", "message": "'output' is empty", "where": "row 8"}
    assert len(final.sample) == 1000 and final.first_valid[:3] == [1, 2, 3]


# -- LLaMA-Factory's dataset_info.json, as it is ---------------------------------------------------
LF_EXPECTED = {
    "identity": ("alpaca", "sft", 91),
    "alpaca_en_demo": ("alpaca", "sft", 999),
    "alpaca_zh_demo": ("alpaca", "sft", 1000),
    "glaive_toolcall_en_demo": ("sharegpt", "sft", 300),
    "dpo_en_demo": ("preference", "preference", 300),
    "kto_en_demo": ("kto", "kto", 300),
    "c4_demo": ("text", "text", 300),
    "mllm_demo": ("sharegpt", "sft", 6),
}


@needs_shared
def test_every_local_entry_of_the_llamafactory_registry_loads():
    """Every entry loads, mllm_demo with its images; refused with the reason when images are not asked for."""
    names = local_entries(LF)
    assert set(LF_EXPECTED) <= set(names)
    info = json.loads((LF / "dataset_info.json").read_text(encoding="utf-8"))
    for name in names:
        if any(info[name].get("columns", {}).get(k) for k in ("images", "videos", "audios")):
            with pytest.raises(DataError, match="video and audio are not supported yet, and images are read"):
                entry_source(LF, name, allow_images=False)
        report = inspect(entry_source(LF, name))
        assert report.valid_rows > 0, (name, report.errors[:3])
        if name in LF_EXPECTED:
            fmt, kind, rows = LF_EXPECTED[name]
            assert (report.format, report.kind, report.rows) == (fmt, kind, rows), name
            assert report.valid_rows == rows, (name, report.errors[:3])


@needs_shared
def test_llamafactory_entries_by_name_in_a_spec_and_mixed():
    data = DataSpec(train="identity,alpaca_en_demo", dataset_dir=str(LF), mix=[1.0, 100],
                    placeholders={"name": "Nova", "author": "Acme"})
    loaded = load_data(data, None)
    assert len(loaded.train) == 191 and loaded.kind == "sft"
    with pytest.raises(DataError, match="'alpaca_en_dem' is not defined in .*Did you mean alpaca_en_demo"):
        load_data(DataSpec(train="alpaca_en_dem", dataset_dir=str(LF)), None)


@needs_shared
def test_llamafactory_tool_preference_and_kto_rows_become_internal_forms():
    glaive = load_data(DataSpec(train="glaive_toolcall_en_demo", dataset_dir=str(LF), shuffle=False), None)
    with_call = next(e for e in glaive.train if any(m.get("tool_calls") for m in e["messages"]))
    assert with_call["tools"] and all("name" in t for t in with_call["tools"])
    dpo = load_data(DataSpec(train="dpo_en_demo", dataset_dir=str(LF)), None)
    e = dpo.train[0]
    assert e["prompt"][-1]["role"] == "user" and e["chosen"][0]["role"] == "assistant" and e["chosen"] != e["rejected"]
    kto = load_data(DataSpec(train="kto_en_demo", dataset_dir=str(LF)), None)
    assert {e["label"] for e in kto.train} == {True, False}


def test_unsupported_registry_entries_explain_themselves(tmp_path):
    (tmp_path / "dataset_info.json").write_text(json.dumps({
        "pics": {"file_name": "pics.json", "formatting": "sharegpt", "columns": {"kto_tag": "k", "images": "i"}},
        "clips": {"file_name": "clips.json", "formatting": "sharegpt", "columns": {"messages": "m", "videos": "v"}},
        "ms": {"ms_hub_url": "x/y"},
        "gone": {"file_name": "gone.json"},
    }))
    with pytest.raises(DataError, match="has images: .*images are read in conversation and preference .* only"):
        entry_source(tmp_path, "pics")  # KTO rows with images
    with pytest.raises(DataError, match="has videos: video and audio are not supported yet"):
        entry_source(tmp_path, "clips")
    with pytest.raises(DataError, match="comes from ms_hub_url"):
        entry_source(tmp_path, "ms")
    with pytest.raises(DataError, match="its file .*gone.json is missing"):
        entry_source(tmp_path, "gone")
