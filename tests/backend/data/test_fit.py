"""backend.data.fit: the max_length a Review suggests on known lengths, each stage's rule on hand-made lengths, the
refusal's words, and the measuring itself with the demo tokenizer: the light tokenizer (the Review) and the
transformers one (the worker) count alike, and the sft count agrees with what tokenize_sft keeps."""

from __future__ import annotations

import pytest

from backend.data.fit import Lengths, fit_lengths, fit_rows, max_positions, measure, preview_rows, suggest_max_length
from backend.data.tokenize import ensure_chat_template


@pytest.fixture(scope="module")
def tok(demo_models_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(demo_models_dir / "demo"))


@pytest.fixture(scope="module")
def lite(demo_models_dir):
    from backend.data.lite_tokenizer import LiteTokenizer

    t = LiteTokenizer.from_dir(demo_models_dir / "demo")
    ensure_chat_template(t, "")
    return t


def user(text):
    return {"role": "user", "content": text}


def bot(text):
    return {"role": "assistant", "content": text}


# -- the suggestion ---------------------------------------------------------------------------------
def test_suggestion_keeps_95_percent_whole_in_multiples_of_64_under_the_cap():
    assert suggest_max_length([]) is None
    assert suggest_max_length([10] * 95 + [5000] * 5) == 64  # the longest 5% do not count
    assert suggest_max_length([10] * 94 + [5000] * 6) == 5056  # 5000 rounded up to a multiple of 64
    assert suggest_max_length(list(range(1, 101))) == 128  # the 95th of 1..100 is 95
    assert suggest_max_length([64, 64, 64]) == 64 and suggest_max_length([65]) == 128
    assert suggest_max_length([3000] * 10, cap=2048) == 2048  # never past the model's positions
    assert suggest_max_length([100] * 10, share=1.0, multiple=32) == 128
    assert max_positions({"max_position_embeddings": 2048}) == 2048
    assert max_positions({"text_config": {"max_position_embeddings": 4096}}) == 4096
    assert max_positions({}) is None and max_positions(None) is None


# -- the rules ----------------------------------------------------------------------------------------
def test_the_reply_rule_leaves_out_rows_with_no_room_for_a_reply_and_counts_the_cut():
    rows = [Lengths(10, (30, 40)), Lengths(99, (150, 120)), Lengths(100, (180, 130)), Lengths(250, (300, 260)),
            Lengths(5, (9, 7), empty=True), None]
    fit = fit_lengths("orpo", rows, 100)
    assert fit.kept == [0, 1, 5]  # 99 prompt tokens leave one for the reply; None (unmeasured) is kept
    assert fit.dropped == {"prompt_fills": 2, "empty_reply": 1} and fit.truncated == 1
    assert fit.totals == [40, 150, 180, 300, 9]
    lines = fit.lines()
    assert lines[0] == ("3 of 6 pairs cannot train at max_length=100 and are left out: 1 with an empty reply once "
                        "rendered through the chat template, 2 whose prompt alone fills max_length (no room for a "
                        "reply token).")
    assert lines[0].id == "rows.fit_dropped" and lines[1].id == "rows.fit_truncated"
    assert "1 of the 3 pairs kept are longer than max_length=100" in lines[1]
    assert fit.keep(list("abcdef")) == ["a", "b", "f"]


def test_each_stage_has_its_rule():
    rows = [Lengths(10, (30, 140)), Lengths(120, (130, 125)), Lengths(20, (40,))]
    assert fit_lengths("rm", rows, 100).dropped == {"too_long": 2}  # the reward trainer cannot cut a pair
    assert fit_lengths("dpo", rows, 100).dropped == {"prompt_fills": 1}
    grpo = fit_lengths("grpo", [Lengths(100), Lengths(101)], 100)
    assert grpo.kept == [0] and grpo.dropped == {"prompt_too_long": 1} and grpo.truncated == 0
    pt = fit_rows("pt", [{"text": "x" * 10_000}], None, 8)  # packed: nothing measured, nothing left out
    assert pt.kept == [0] and not pt.rule and not pt.lines()
    assert fit_lengths("kto", rows, 100).unit == "replies" and fit_lengths("sft", rows, 100).unit == "rows"


def test_a_refusal_names_max_length_and_a_length_to_try():
    fit = fit_lengths("dpo", [Lengths(300, (400, 380))] * 19 + [Lengths(3000, (3100, 3050))], 256)
    refusal = fit.refusal(cap=2048)
    assert refusal.id == "rows.fit_none_left"
    assert refusal == ("none of the 20 pairs can train at max_length=256: 20 whose prompt alone fills max_length "
                       "(no room for a reply token). Raise `training.max_length` to 448 (it keeps 95% of them "
                       "whole), or shorten the prompts.")
    capped = fit_lengths("dpo", [Lengths(3000, (3100, 3050))], 2048).refusal(cap=2048)
    assert capped.id == "rows.fit_none_left_no_raise" and "Shorten the prompts" in capped  # no longer one helps
    empty = fit_lengths("dpo", [Lengths(5, (9, 7), empty=True)], 256).refusal()
    assert empty.id == "rows.fit_none_left_no_raise" and "1 with an empty reply" in empty


# -- measuring ---------------------------------------------------------------------------------------
def pairs():
    long = "tell me everything about the weather in every city you know, " * 12
    return [{"prompt": [user(f"What is {i} plus {i}?" if i % 3 else long)], "chosen": [bot(f"It is {2 * i}.")],
             "rejected": [bot(f"Maybe {2 * i + 1}?")], "tools": None} for i in range(9)]


def test_lengths_are_the_templates_tokens_and_both_tokenizers_agree(tok, lite):
    rows = pairs()
    heavy, light = measure(rows, tok), measure(rows, lite)
    assert heavy == light  # the Review's count is the worker's
    for row, got in zip(rows, heavy, strict=True):
        prompt = tok.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
        chosen = tok.apply_chat_template(row["prompt"] + row["chosen"], tokenize=False)
        assert got.prompt == len(tok(prompt, add_special_tokens=False)["input_ids"])
        assert got.fulls[0] == len(tok(chosen, add_special_tokens=False)["input_ids"]) and not got.empty
    # orpo's rows are rendered text; the same pairs measure the same
    from backend.data.stage_data import CONVERTERS

    rendered, _ = CONVERTERS["rendered_pairs"]("preference", rows, tok)
    assert [m.prompt for m in measure(rendered, tok)] == [m.prompt for m in heavy]
    # a reply emptied by `data.reasoning: drop` is empty once rendered, in either form
    rows[0]["chosen"] = [bot("")]
    assert measure(rows[:1], tok)[0].empty
    assert measure(CONVERTERS["rendered_pairs"]("preference", rows[:1], tok)[0], tok)[0].empty


def test_every_stage_measures_its_own_rows(lite):
    examples = pairs()
    assert len(preview_rows("kto", "preference", examples, lite)) == 18  # unpaired: two replies a pair
    assert len(preview_rows("sft", "preference", examples, lite)) == 9
    for stage in ("sft", "rm", "dpo", "orpo", "kto"):
        fit = fit_lengths(stage, measure(preview_rows(stage, "preference", examples, lite), lite), 64)
        assert fit.n_dropped == (6 if stage == "kto" else 3), (stage, fit.dropped)
    prompts = [{"prompt": e["prompt"], "reference": "4"} for e in examples]
    assert fit_lengths("grpo", measure(preview_rows("grpo", "prompt", prompts, lite), lite), 64).n_dropped == 3


def test_the_sft_count_is_what_tokenize_sft_keeps(tok):
    from backend.data.tokenized import tokenize_sft
    from tests.backend.data.test_tokenized import examples

    rows = examples(60)  # tool calls, system prompts, long prompts
    for max_length in (48, 128, 512):
        fit = fit_rows("sft", rows, tok, max_length)
        kept = tokenize_sft(rows, tok, max_length, None)
        assert fit.n_dropped == kept.dropped and len(fit.kept) == len(kept.dataset), max_length
        assert kept.lengths == measure(rows, tok)  # the worker's pass counts what the Review's does
        assert fit.truncated == sum(1 for n in kept.dataset["length"] if n == max_length) - sum(
            1 for i in fit.kept if fit.totals[i] == max_length)
