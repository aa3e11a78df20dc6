"""The loss plots: every series drawn, including one that appears later or has a single point."""

from studio.views.plots import loss_figure, loss_frame


def test_train_and_eval_are_both_drawn_even_with_one_eval_point():
    metrics = [{"step": 1, "loss": 3.0}, {"step": 5, "loss": 2.0}, {"step": 5, "eval_loss": 2.4}]
    fig = loss_figure(loss_frame(metrics))
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert set(lines) == {"train", "eval"}
    assert list(lines["eval"].get_xdata()) == [5.0] and lines["eval"].get_marker() == "o"


def test_compare_draws_one_line_per_job():
    import pandas as pd

    frame = pd.DataFrame({"step": [1, 2, 1, 2, 3], "loss": [3, 2, 4, 3, 2], "job": ["a", "a", "b", "b", "b"]})
    fig = loss_figure(frame, series="job")
    assert sorted(line.get_label() for line in fig.axes[0].get_lines()) == ["a", "b"]


def test_the_loss_chart_axes_speak_the_page_language():
    from studio.i18n import strings

    metrics = [{"step": 1, "loss": 3.0}, {"step": 2, "loss": 2.0}]
    for lang, x, y in (("en", "step", "loss"), ("zh", "步数", "损失")):
        ax = loss_figure(loss_frame(metrics), t=strings(lang)).axes[0]
        assert (ax.get_xlabel(), ax.get_ylabel()) == (x, y)


# A dpo run's rows as backend/training/callback.py writes them (TRL's rewards/* with "/" as "_"), an sft run's, grpo's.
DPO = [{"step": s, "loss": 0.69 - s / 100, "rewards_chosen": s / 10, "rewards_rejected": -s / 10,
        "rewards_margins": s / 5, "rewards_accuracies": min(1.0, 0.5 + s / 40)} for s in (3, 6, 9, 12, 15)]
SFT = [{"step": s, "loss": 3.0 - s / 10} for s in (3, 6, 9)]
GRPO = [{"step": s, "loss": 0.0, "reward": s / 20, "reward_std": 0.1} for s in (1, 2, 3)]


def test_the_stages_own_curves_are_drawn_beside_the_loss_in_the_page_language():
    from studio.i18n import strings
    from studio.views.plots import stage_frame

    for lang, names, y in (("en", ["chosen", "rejected", "margin"], "reward"), ("zh", ["优选回复", "劣选回复", "差值"], "奖励")):
        t = strings(lang)
        fig = loss_figure(loss_frame(DPO), t=t, stage=stage_frame(DPO, t))
        assert len(fig.axes) == 2
        assert [line.get_label() for line in fig.axes[1].get_lines()] == names and fig.axes[1].get_ylabel() == y
        assert list(fig.axes[1].get_lines()[2].get_ydata()) == [m["rewards_margins"] for m in DPO]
    grpo = loss_figure(loss_frame(GRPO), stage=stage_frame(GRPO))
    assert [line.get_label() for line in grpo.axes[1].get_lines()] == ["reward"]
    assert len(loss_figure(loss_frame(SFT), stage=stage_frame(SFT)).axes) == 1  # sft: the loss alone


def test_the_stats_line_gives_the_stages_newest_margin_accuracy_or_reward():
    from studio.i18n import strings
    from studio.views.monitor_text import stage_stats

    en, zh = strings("en"), strings("zh")
    assert stage_stats(en, DPO) == " · **Reward margin:** 3.000 · **Pairs ranked right:** 88%"
    assert stage_stats(en, [{"step": 1, "loss": 0.1, "accuracy": 1.0, "margin": 11.07}]) == (
        " · **Reward margin:** 11.070 · **Pairs ranked right:** 100%")  # a reward model (stage rm)
    assert stage_stats(en, GRPO) == " · **Reward:** 0.150"
    assert stage_stats(en, SFT) == ""
    assert "奖励差值" in stage_stats(zh, DPO) and "Reward" not in stage_stats(zh, DPO)


def test_the_jobs_plots_folder_gets_the_stages_rewards(tmp_path):
    import json

    from backend.export.model_card import model_card
    from backend.export.plots import write_plots
    from backend.spec import JobSpec

    for name, rows in (("dpo", DPO), ("sft", SFT)):
        job = tmp_path / name
        job.mkdir()
        (job / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        (job / "spec.yaml").write_text(JobSpec.from_dict({"stage": name}).to_yaml(), encoding="utf-8")
        written = {p.name for p in write_plots(job)}
        assert written == ({"loss.png", "rewards.png"} if name == "dpo" else {"loss.png"})
        assert ("![rewards](plots/rewards.png)" in model_card(job)) == (name == "dpo")  # the card shows it
