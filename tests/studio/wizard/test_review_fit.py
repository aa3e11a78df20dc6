"""The Review and the Data step say, before a job starts, how many rows max_length would leave out or cut and why
(counted on the Data step's sample with the light tokenizer, by the worker's own rule: backend/data/fit.py), and
suggest a max_length that keeps most rows whole; when no sampled row can train, the Review lists it as a problem
on `training.max_length`."""

from __future__ import annotations

import json
import re

import pytest

from backend.resources import DATA_DIR, DEMO_SPEC
from backend.spec import JobSpec
from studio.i18n import EN, ZH
from studio.views import data_view as dv

LONG = "Tell me all about the weather in every city you know of, one by one. " * 8


@pytest.fixture
def ctx(workspace):
    from backend.store import JobStore
    from studio.context import Ctx

    defaults = JobSpec.from_yaml(DEMO_SPEC.read_text(encoding="utf-8"))
    return Ctx(workspace, JobStore(workspace), EN, defaults, chat=None, data_roots=[workspace.root, DATA_DIR])


@pytest.fixture
def pairs(workspace) -> str:
    """10 pairs: 4 whose prompt alone is longer than 128 demo tokens, 6 short ones."""
    rows = [{"prompt": (LONG if i < 4 else "") + f"What is {i} plus {i}?", "chosen": f"It is {2 * i}.",
             "rejected": f"Maybe {2 * i + 1}?"} for i in range(10)]
    path = workspace.root / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return str(path)


def values_for(ctx, train: str, stage: str, max_length: int):
    from studio.wizard.form import form_from_spec

    spec = ctx.defaults.with_overrides([f"data.train={train}", f"stage={stage}", f"training.max_length={max_length}"])
    return form_from_spec(spec)


def test_the_review_counts_the_rows_max_length_leaves_out_and_suggests_one(ctx, pairs):
    from studio.wizard.review import check

    review = check(ctx, values_for(ctx, pairs, "orpo", 128))
    assert not review.issues, review.issues
    assert ("**At max length 128:** of 10 sampled pairs, 4 would be left out of training (4 whose prompt alone fills "
            "max_length (no room for a reply token)); 0 more have their reply cut at the limit. A max length of "
            "**384** keeps 100% of them whole (`training.max_length`, step 4).") in review.estimate
    # The plan counts the rows training will use: 6 pairs, one step of 8 an epoch; their tokens, not the 4 left out.
    assert "15 training steps: 15 epoch(s) over 6 of 10 (max length leaves the rest out" in review.estimate
    avg = re.search(r"each up to about (\d+) tokens", review.estimate)
    assert avg and int(avg.group(1)) < 40, review.estimate  # the 4 long prompts alone fill 128 tokens each
    fine = check(ctx, values_for(ctx, pairs, "orpo", 384))
    assert "**At max length 384:** all 10 sampled pairs fit whole." in fine.estimate
    assert "30 training steps: 15 epoch(s) over 10 training rows" in fine.estimate


def test_the_review_refuses_when_no_sampled_row_can_train(ctx, pairs):
    from studio.wizard.review import check, problems_markdown

    review = check(ctx, values_for(ctx, pairs, "dpo", 8))
    (issue,) = [i for i in review.issues if i.field == "training.max_length"]
    assert issue.message.id == "rows.fit_none_left"
    assert issue.message.startswith("none of the 10 pairs can train at max_length=8: 10 whose prompt alone fills")
    assert "Raise `training.max_length` to 384" in issue.message
    zh = problems_markdown(ZH, review.issues)
    assert "training.max_length" in zh and "调大到 384" in zh  # in the page's language


def test_the_data_step_counts_for_the_stage_that_takes_the_data(ctx, pairs):
    from backend.data.inspect import inspect
    from backend.data.registry import Source

    # The workspace's models/demo: a local folder the studio may read (one outside its folders is refused).
    tok, _, _ = dv.PreviewTokenizers().get(ctx, "local", str(ctx.workspace.models_dir / "demo"), "")
    report = inspect(Source(label="pairs.jsonl", path=pairs))
    assert dv.fit_stage("sft", "preference") == "sft" and dv.fit_stage("pt", "preference") == "dpo"
    fit = dv.sample_fit(tok, report, "rm", 64)
    assert (fit.stage, fit.total, fit.n_dropped) == ("rm", 10, 4)
    text = dv.fit_markdown(EN, fit, cap=2048)
    assert text.startswith("**At max length 64:** of 10 sampled pairs, 4 would be left out of training (4 longer "
                           "than max_length (the reward trainer leaves out")
    assert dv.FITS.lengths(tok, report, "rm") is dv.FITS.lengths(tok, report, "rm")  # measured once
    zh = dv.fit_markdown(ZH, fit, cap=2048)
    assert zh.startswith("**最大长度 64 下：** 抽样的 10 对中有 4 将被排除在训练之外（4 条超过了 max_length")
    assert dv.sample_fit(tok, report, "pt", 64).stage == "dpo"  # pt takes no pairs: counted as dpo would
    assert dv.sample_fit(None, report, "dpo", 64) is None and dv.fit_markdown(EN, None) == ""


def test_the_reviews_token_count_holds_both_sequences_of_a_pair(ctx, pairs):
    """dpo passes a pair's chosen and rejected sequences through the model: twice the tokens of one row."""
    from studio.wizard.review import check

    def tokens(stage: str) -> tuple[int, str]:
        estimate = check(ctx, values_for(ctx, pairs, stage, 384)).estimate
        line = next(x for x in estimate.splitlines() if "**Tokens:**" in x)
        return int(re.search(r"about ([\d,]+)", line).group(1).replace(",", "")), line

    dpo, said = tokens("dpo")
    assert "2 sequences a row" in said
    sft, _ = tokens("sft")  # the same rows read as conversations (prompt + chosen): one sequence each
    assert dpo > 1.5 * sft, (dpo, sft)


def test_the_memory_estimate_is_built_from_the_rows_max_length_keeps(ctx, pairs, monkeypatch):
    """The 4 rows max_length leaves out never reach the model: the largest batch is built from the 6 it keeps,
    not from rows counted at max_length."""
    from backend.plan import estimate
    from studio.wizard.form import MODEL_SOURCE
    from studio.wizard.model_info import model_config
    from studio.wizard.review import check
    from studio.wizard.review_plan import sample_fit, sample_lengths

    values = values_for(ctx, pairs, "sft", 128)  # prompt + chosen: sft batches follow the rows' lengths
    spec = check(ctx, values).spec
    fit = sample_fit(ctx, spec, values)
    kept, every = sample_lengths(ctx, spec, values, fit), sample_lengths(ctx, spec, values)
    assert len(kept) == 6 and len(every) == 10 and max(kept) < 128 <= max(every)
    config = model_config(values[MODEL_SOURCE], spec.model.name_or_path, ctx.workspace.models_dir, ctx.data_roots)
    assert (estimate.estimate_memory(spec, config, "cpu", lengths=kept).activations
            < estimate.estimate_memory(spec, config, "cpu", lengths=every).activations)
    seen = []  # what the Review builds its estimate from (the real estimate, called through)
    real = estimate.estimate_memory
    monkeypatch.setattr(estimate, "estimate_memory", lambda *a, **kw: seen.append(kw["lengths"]) or real(*a, **kw))
    assert "**Peak memory (estimate):**" in check(ctx, values).estimate
    assert seen and all(lengths == kept for lengths in seen), seen  # the estimate and the advice alike


def test_the_review_counts_each_sources_rows_by_its_own_fit(ctx, pairs, workspace):
    """Two sources: 10 short pairs first, then the 10 whose 4 long prompts max_length leaves out. The plan keeps
    16 of 20 (each source counted by its own sample), not 20 (the first source's share for both)."""
    from studio.wizard.review import check

    short = workspace.root / "short.jsonl"
    short.write_text("\n".join(json.dumps({"prompt": f"What is {i} times 2?", "chosen": f"{2 * i}.",
                                           "rejected": f"{2 * i + 1}."}) for i in range(10)), encoding="utf-8")
    review = check(ctx, values_for(ctx, f"{short},{pairs}", "orpo", 128))
    assert not review.issues, review.issues
    assert "15 epoch(s) over 16 of 20 (max length leaves the rest out" in review.estimate, review.estimate
    alone = check(ctx, values_for(ctx, str(short), "orpo", 128))
    assert "15 epoch(s) over 10 training rows" in alone.estimate, alone.estimate
