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
