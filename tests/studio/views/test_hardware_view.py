"""The "This machine" panel and the Monitor's system chart, latest-values line and live advice,
on hand-made Hardware values and a real job store (no GPU, no training, no browser)."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from backend.plan.hardware import Gpu, Hardware
from backend.resources import DEMO_SPEC
from backend.spec import JobSpec
from backend.store import JobStore
from backend.workspace import Workspace
from studio import i18n
from studio.context import Ctx
from studio.fonts import cjk_family
from studio.i18n import advice as i18n_advice
from studio.i18n import monitor as i18n_monitor
from studio.views.hardware import markdown
from studio.views.monitor import OUTPUT_NAMES, render, updates
from studio.views.plots import system_columns, system_figure
from studio.views.system_log import SystemLog

GIB = 1024**3
TABLES = {
    "en": {**i18n.EN, **i18n_monitor.EN, **i18n_advice.EN},
    "zh": {**i18n.ZH, **i18n_monitor.ZH, **i18n_advice.ZH},
}
GPU_BOX = Hardware(
    gpus=[Gpu("NVIDIA H100 80GB HBM3", 80 * GIB, 1 * GIB), Gpu("NVIDIA A10", 24 * GIB, 20 * GIB)],
    cpu_cores=16, cpu_name="AMD EPYC 9454", ram_total=128 * GIB, ram_available=100 * GIB,
    disk_free=500 * GIB, disk_path="/data/ws",
)  # fmt: skip
LAPTOP = Hardware(cpu_cores=4, cpu_name=None, ram_total=8 * GIB, ram_available=3 * GIB, disk_free=5 * GIB,
                  disk_path="/home/me/ws")  # fmt: skip


def sample(elapsed, rss=1200.0, cpu=85.0, gpu_mem=None, gpu_util=None) -> dict:
    return {"time": 1.7e9 + elapsed, "elapsed_s": elapsed, "rss_mb": rss, "cpu_pct": cpu, "ram_used_pct": 40.0,
            "gpu_mem_mb": gpu_mem, "gpu_util_pct": gpu_util}  # fmt: skip


def lines(*rows) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


@pytest.fixture(params=["en", "zh"])
def t(request):
    return TABLES[request.param]


@pytest.fixture
def ctx(tmp_path):
    ws = Workspace.at(tmp_path / "ws")
    return Ctx(ws, JobStore(ws), TABLES["en"], JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8")), None)


# -- the hardware panel ----------------------------------------------------------------------------
def test_panel_lists_every_gpu_cpu_ram_and_disk(t):
    text = markdown(t, GPU_BOX)
    for shown in ("NVIDIA H100 80GB HBM3", "80.0 GB", "1.0 GB", "NVIDIA A10", "AMD EPYC 9454", "16",
                  "100.0 GB", "128.0 GB", "500.0 GB", "/data/ws"):  # fmt: skip
        assert shown in text
    assert t["hw.no_gpu"] not in text
    # The A10 is mostly taken by other programs: said once, with its numbers; nothing else is short.
    assert text.count("⚠") == 1 and t["hw.hint.gpu_busy"].format(used="20.0 GB", total="24.0 GB") in text


def test_panel_without_gpu_says_cpu_and_hints_what_is_short(t):
    text = markdown(t, LAPTOP)
    assert t["hw.no_gpu"] in text and t["hw.unknown"] in text  # no CPU name found
    assert t["hw.hint.no_gpu"] in text
    assert t["hw.hint.disk"].format(free="5.0 GB") in text and t["hw.hint.ram"].format(available="3.0 GB") in text
    big = markdown(t, LAPTOP, model_params=7_615_616_512)
    assert t["hw.hint.no_gpu_big"].format(params="7.6B") in big and t["hw.hint.no_gpu"] not in big
    assert markdown(t, Hardware()).count("?") >= 2  # nothing known: still a panel, never an error


def test_english_panel_reads_as_expected():
    text = markdown(TABLES["en"], LAPTOP)
    assert "**GPU:** none: training runs on the CPU" in text and "**RAM:** 3.0 GB available of 8.0 GB" in text
    zh = markdown(TABLES["zh"], LAPTOP)
    assert "**GPU：** 无：训练将在 CPU 上运行" in zh and "· 4 核" in zh and "可用 3.0 GB，共 8.0 GB" in zh


def test_panel_builds_and_renders_this_machine(ctx):
    from studio.views.hardware import HardwarePanel, build

    with gr.Blocks():
        panel = build(ctx)
    assert isinstance(panel, HardwarePanel) and isinstance(panel.markdown, gr.Markdown)
    text = panel.render()
    assert "**CPU:**" in text and str(ctx.workspace.root) in text


def test_strings_have_both_languages_with_the_same_placeholders():
    from string import Formatter

    def names(text):
        return {name for _, name, _, _ in Formatter().parse(text) if name}

    assert set(i18n_monitor.EN) == set(i18n_monitor.ZH)
    assert all(names(i18n_monitor.EN[k]) == names(i18n_monitor.ZH[k]) for k in i18n_monitor.EN)
    assert all(k.startswith(("hw.", "sys.")) for k in i18n_monitor.EN)


# -- system.jsonl: incremental reading and the chart -------------------------------------------------
def test_system_log_reads_only_new_complete_rows(tmp_path):
    path, log = tmp_path / "system.jsonl", SystemLog("job")
    assert log.read(path) == []  # an older job: no file
    first, second = lines(sample(2)), lines(sample(4))
    path.write_text(first + second[:20])  # the sampler is half-way through a line
    assert [r["elapsed_s"] for r in log.read(path)] == [2]
    assert log.read(path) == []
    with open(path, "a") as f:
        f.write(second[20:] + lines(sample(6)) + "{torn")
    assert [r["elapsed_s"] for r in log.read(path)] == [4, 6]
    assert [r["elapsed_s"] for r in log.rows] == [2, 4, 6]
    path.write_text(lines(sample(2)))  # replaced (shorter): read again from the start
    assert [r["elapsed_s"] for r in log.read(path)] == [2] and len(log.rows) == 1


def test_system_figure_draws_gpu_lines_only_when_sampled(tmp_path, t):
    path = tmp_path / "system.jsonl"
    path.write_text(lines(sample(2), sample(4, cpu=None), sample(6)) + '{"elapsed_s": 8, "rss')
    rows = SystemLog("job").read(path)
    fig = system_figure(rows, t)
    t = t if cjk_family() else TABLES["en"]  # without a CJK font the chart speaks English
    mem, util = fig.axes
    assert [line.get_label() for line in mem.get_lines()] == [t["sys.series.rss"]]
    assert [line.get_label() for line in util.get_lines()] == [t["sys.series.cpu"], t["sys.series.ram"]]
    assert list(mem.get_lines()[0].get_xdata()) == [2, 4, 6]

    gpu_rows = [sample(2), sample(4, gpu_mem=30_000.0, gpu_util=97.0), sample(400, gpu_mem=31_000.0, gpu_util=95.0)]
    mem, util = system_figure(gpu_rows, t).axes
    assert len(mem.get_lines()) == 2 and len(util.get_lines()) == 3
    assert "GB" in mem.get_ylabel() and util.get_xlabel() == t["sys.chart.elapsed_min"]  # > 2 GB, > 3 min


def test_resumed_job_samples_go_on_after_the_earlier_ones():
    cols = system_columns([sample(2), sample(4), sample(1), sample(3), {"elapsed_s": None}])
    assert cols["elapsed_s"] == [2, 4, 5, 7]


# -- the Monitor: latest values, advice, no needless redraws ----------------------------------------
def new_job(ctx, metrics, system_text=None) -> str:
    job_id = ctx.store.create_job(ctx.defaults)
    (ctx.store.job_dir(job_id) / "metrics.jsonl").write_text(lines(*metrics))
    if system_text is not None:
        (ctx.store.job_dir(job_id) / "system.jsonl").write_text(system_text)
    return job_id


def test_monitor_shows_latest_values_and_skips_the_chart_until_new_samples(ctx):
    job_id = new_job(ctx, [{"step": 1, "loss": 2.0}], lines(sample(2), sample(4, rss=2048.0, cpu=None)))
    shown = render(ctx, job_id)
    assert shown["sysline"] == ("**Worker memory:** 2.0 GB · **CPU:** — · **System RAM used:** 40% · "
                                "**GPU memory:** — · **GPU:** —")  # fmt: skip
    assert shown["syscol"] is True and shown["advice"] == ""

    index = {name: i for i, name in enumerate(OUTPUT_NAMES)}
    out, seen = updates(ctx, job_id, {})
    assert out[index["system"]] is not None and out[index["syscol"]] == gr.update(visible=True)
    out, seen = updates(ctx, job_id, seen)
    assert out[index["system"]] == gr.skip() and out[index["sysline"]] == gr.skip()
    with open(ctx.store.job_dir(job_id) / "system.jsonl", "a") as f:
        f.write(lines(sample(6, gpu_mem=512.0, gpu_util=50.0)))
    out, seen = updates(ctx, job_id, seen)
    assert out[index["system"]] is not None and out[index["system"]] != gr.skip()
    assert "512.0 MB" in out[index["sysline"]] and "50%" in out[index["sysline"]]
    assert [r["elapsed_s"] for r in seen["system_log"].rows] == [2, 4, 6]

    older = new_job(ctx, [{"step": 1, "loss": 2.0}])  # before the sampler existed: no file, no column
    shown = render(ctx, older)
    assert shown["syscol"] is False and shown["sysline"] == "" and shown["system"][1] == []


def test_monitor_advises_on_overfitting(ctx):
    metrics = []
    for i, (train, evaluation) in enumerate([(2.0, 2.1), (1.6, 1.8), (1.2, 1.7), (0.9, 1.9), (0.6, 2.2)]):
        step = 10 * (i + 1)
        metrics += [{"step": step, "loss": train}, {"step": step, "eval_loss": evaluation}]
    job_id = new_job(ctx, metrics)
    text = render(ctx, job_id)["advice"]
    assert text.startswith(f"**{TABLES['en']['advice.title']}**") and "⚠" in text
    from backend.plan.advice import advise

    (found,) = [a for a in advise(metrics) if a.code == "overfitting"]
    assert TABLES["en"]["advice.overfitting"].format(**found.params) in text
    ctx.t = TABLES["zh"]
    assert TABLES["zh"]["advice.overfitting"].format(**found.params) in render(ctx, job_id)["advice"]
