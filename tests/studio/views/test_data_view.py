"""The Data step's view logic without a browser: allowed folders, counts for Review, a skipped
row's view, the preview tokenizer, the histogram's language."""

import json
from types import SimpleNamespace

import pytest

from backend.data.inspect import inspect
from backend.data.read import DataError
from backend.resources import DATA_DIR
from backend.spec import DataSpec
from backend.workspace import Workspace
from studio.i18n import EN, ZH
from studio.views import data_view as dv


@pytest.fixture
def ctx(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    return SimpleNamespace(workspace=ws, data_roots=[ws.root, DATA_DIR, tmp_path / "roots"], t=EN)


def write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


def test_paths_outside_the_allowed_folders_are_refused(ctx, tmp_path):
    inside = write(tmp_path / "roots" / "a.jsonl", [{"instruction": "q", "output": "a"}])
    outside = write(tmp_path / "elsewhere" / "b.jsonl", [{"instruction": "q", "output": "a"}])
    assert dv.main_source(ctx, DataSpec(train=str(inside))).path == inside
    with pytest.raises(DataError, match="outside the folders this studio may read .*--data-root"):
        dv.main_source(ctx, DataSpec(train=str(outside)))
    # Also a second source in a mix, and a registry entry whose file climbs out of its folder.
    with pytest.raises(DataError, match="outside"):
        dv.main_source(ctx, DataSpec(train=f"{inside},{outside}"))
    reg = tmp_path / "roots" / "reg"
    reg.mkdir()
    (reg / "dataset_info.json").write_text(json.dumps({"x": {"file_name": "../../elsewhere/b.jsonl"}}))
    with pytest.raises(DataError, match="outside"):
        dv.main_source(ctx, DataSpec(train="x", dataset_dir=str(reg)))


def test_review_counts_rows_from_the_scan_with_the_mix(ctx, tmp_path):
    a = write(tmp_path / "roots" / "a.jsonl", [{"instruction": f"q{i}", "output": "a"} for i in range(40)])
    b = write(tmp_path / "roots" / "b.jsonl", [{"instruction": f"q{i}", "output": "" if i < 5 else "a"}
                                               for i in range(20)])
    assert dv.valid_rows(ctx, DataSpec(train=f"{a},{b}")) == 55
    assert dv.valid_rows(ctx, DataSpec(train=f"{a},{b}", mix=[0.5, 10])) == 30
    bad = write(tmp_path / "roots" / "bad.jsonl", [{"instruction": "q", "output": ""}])
    with pytest.raises(DataError, match="no usable rows out of 1 .*'output' is empty"):
        dv.valid_rows(ctx, DataSpec(train=str(bad)))


def test_review_refuses_a_mix_of_kinds_the_worker_would_refuse(ctx, tmp_path):
    # identity (sft) + kto_en_demo (kto) passed the Review as "ready" with 391 rows; the job then failed at once.
    a = write(tmp_path / "roots" / "a.jsonl", [{"instruction": f"q{i}", "output": "a"} for i in range(4)])
    k = write(tmp_path / "roots" / "k.jsonl", [{"prompt": "q", "completion": "a", "label": i % 2 == 0}
                                               for i in range(4)])
    with pytest.raises(DataError, match=r"cannot be mixed: a.jsonl is alpaca \(sft\), k.jsonl is kto \(kto\)"):
        dv.valid_rows(ctx, DataSpec(train=f"{a},{k}"))
    assert dv.valid_rows(ctx, DataSpec(train=f"{a},{a}")) == 8
    # An eval file of another kind: the same refusal before Start, naming both kinds (it was unreachable: the
    # worker said "the datasets cannot be mixed", and the Review nothing).
    with pytest.raises(DataError, match=r"eval data cannot evaluate this training data: k.jsonl is kto \(kto\), "
                                        r"the training rows are sft.*data.eval_split"):
        dv.valid_rows(ctx, DataSpec(train=str(a), eval=str(k)))
    assert dv.valid_rows(ctx, DataSpec(train=str(a), eval=str(a))) == 4


def test_a_skipped_row_shows_its_reason_and_its_content(ctx, tmp_path):
    a = write(tmp_path / "roots" / "a.jsonl", [{"instruction": "q", "output": "a"},
                                               {"instruction": "<b>x</b>", "output": ""}])
    data = DataSpec(train=str(a))
    view = dv.row_view(EN, dv.main_source(ctx, data), 2, data, None, 128)
    assert view.skipped_reason == "'output' is empty"
    assert "Row 2 is skipped" in view.html and "&lt;b&gt;x&lt;/b&gt;" in view.html and "<b>x" not in view.html
    ok = dv.row_view(EN, dv.main_source(ctx, data), 1, data, None, 128)
    assert not ok.skipped_reason and "needs the model" in ok.html


def test_summary_lists_traits_kind_and_progress():
    report = inspect(dv.parse_sources(DataSpec(), None)[0])
    text = dv.summary_markdown(EN, report)
    assert "**91** rows read" in text and "multi-turn conversations" in text and "**Kind:** sft" in text
    report.done = False
    assert "Scanning" in dv.summary_markdown(EN, report)
    assert "正在扫描" in dv.summary_markdown(ZH, report)


def test_summary_names_the_key_the_rows_were_read_from(tmp_path):
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"version": "1.0", "train": [{"instruction": "q", "output": "a"}]}), encoding="utf-8")
    report = inspect(dv.parse_sources(DataSpec(train=str(path)), None)[0])
    assert "rows read from the key 'train' of data.json" in dv.summary_markdown(EN, report)
    assert "从 data.json 的键 'train' 读取数据行" in dv.summary_markdown(ZH, report)


def test_an_uploaded_image_file_without_its_images_says_where_images_are_read_from(tmp_path):
    # LLaMA-Factory's mllm_demo.json uploaded alone: every row's image is missing; the summary said only
    # "pick the format or map the columns", which cannot help.
    rows = [{"messages": [{"role": "user", "content": "<image>Who?"}, {"role": "assistant", "content": "Kane."}],
             "images": ["mllm_demo_data/1.jpg"]}]
    (tmp_path / "mllm_demo.json").write_text(json.dumps(rows), encoding="utf-8")
    report = inspect(dv.parse_sources(DataSpec(train=str(tmp_path / "mllm_demo.json")), None)[0])
    assert report.valid_rows == 0
    assert EN["data.images_beside"] in dv.summary_markdown(EN, report)
    assert ZH["data.images_beside"] in dv.summary_markdown(ZH, report)
    assert "Path on this machine" in EN["data.images_beside"] and "本机路径" in ZH["data.images_beside"]
    assert EN["data.images_beside"] not in dv.summary_markdown(EN, inspect(dv.parse_sources(DataSpec(), None)[0]))


def test_preview_tokenizer_waits_for_the_demo_and_names_the_template(ctx, demo_models_dir):
    tok, note, used = dv.PreviewTokenizers().get(ctx, "demo", "", "")
    assert tok is None and note == EN["data.demo_building"]
    linked = ctx.workspace.models_dir / "linked-demo"  # a model folder must be under the allowed roots
    linked.symlink_to(demo_models_dir / "demo", target_is_directory=True)
    tok, note, used = dv.PreviewTokenizers().get(ctx, "local", str(linked), "llama3")
    assert tok is not None and not note and used == "llama3"
    tok, note, _ = dv.PreviewTokenizers().get(ctx, "local", str(linked), "nope")
    assert tok is None and "no chat template named 'nope'" in note


def test_a_row_whose_prompt_fills_max_length_says_on_the_row_it_is_left_out(demo_models_dir):
    # kto_en_demo's first row at max length 128 showed "0 trained" and nothing else; fit.py leaves it out.
    from backend.data.lite_tokenizer import LiteTokenizer

    tok = LiteTokenizer.from_dir(demo_models_dir / "demo")
    long = {"prompt": [{"role": "user", "content": "why " * 200}], "completion": [{"role": "assistant",
                                                                                 "content": "because"}], "label": True}
    for t in (EN, ZH):
        assert t["data.row_left_out_fit"].format(max_length=64) in dv.example_html(t, tok, long, "kto", 64)
    short = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello " * 100}]}
    assert "Left out" not in dv.example_html(EN, tok, short, "sft", 64)  # its reply is cut, it still trains
    assert "Left out" not in dv.example_html(EN, tok, {**long, "prompt": [{"role": "user", "content": "why"}]},
                                             "kto", 64)


@pytest.mark.filterwarnings("ignore:Glyph")
def test_charts_fall_back_to_english_without_a_chinese_font(monkeypatch):
    from studio import fonts

    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    assert fonts.chart_strings(ZH) is EN
    monkeypatch.setattr(fonts, "cjk_family", lambda: "Noto Sans CJK SC")
    assert fonts.chart_strings(ZH) is ZH
    fig = dv.length_figure(ZH, [10, 200], 128, 2)
    assert "将被截断" in fig.axes[0].get_title()
    image_rows = dv.length_figure(ZH, [10, 200], 128, 2, left_out=True)  # an image is never cut: its row goes
    assert "将被跳过" in image_rows.axes[0].get_title() and "50%" in image_rows.axes[0].get_title()
    assert "left out" in dv.length_figure(EN, [10, 200], 128, 2, left_out=True).axes[0].get_title()
