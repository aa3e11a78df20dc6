"""The training stages, each described once: what data it learns from, how that data becomes its trainer's
rows, which module builds its trainer, and what its trainer does that others must know (its loss head, its
sequences per row, its batches). The spec checks, the Data step, the runner, the speed plan and the memory
estimate all read these records; none keeps a list of stages of its own.

    from backend.spec import STAGES, get_stage
    stage = get_stage(spec.stage)     # a Stage; a blank one for a name that is no stage
    stage.accepts                     # ("preference",): the data kinds it learns from
    stage.builder                     # "backend.training.stages.dpo": its module's build() makes the trainer

Torch-free, as the whole spec: a builder is named by its module, which only backend.training.run imports.
Adding a stage: a record here (and a word on it in the help of `stage`, backend/spec/job.py), a module in
backend/training/stages/ with a `build` function, a converter in backend/data/stage_data.py when none of
those there fits, and the wizard's texts for it (`stage.<name>`, `.info`, `.data` in studio/i18n/ui_en.py and ui_zh.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.messages import msg
from backend.spec.checks import SpecIssue
from backend.spec.sections import PROMPT_METHODS


@dataclass(frozen=True)
class Refusal:
    """Why a stage cannot be trained here: with any method (`methods` empty), or with the methods named."""

    why: str  # a Message
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stage:
    name: str
    accepts: tuple[str, ...] = ()  # the data kinds it learns from (backend.data.detect: sft, preference, ...)
    # The data it needs, in words: "the dpo stage needs <detail>, but the data is ..." (the Data step's message;
    # a Message, rows.need_*, so the page shows it in its language)
    detail: str = ""
    convert: str = ""  # how the data becomes its trainer's rows: a converter of backend.data.stage_data
    builder: str = ""  # the module whose `build(spec, job_dir, workspace, reporter, data)` makes its trainer
    fused_head: bool = False  # its TRL trainer scores tokens through TRL's fused LM head (never whole logits)
    score_head: bool = False  # a reward model: a one-output score head instead of the LM head
    sequences: int = 1  # sequences a row passes through the model in a step (a pair: 2)
    reference_copy: bool = False  # without an adapter it keeps a frozen copy of the starting weights
    generates: bool = False  # it samples replies while training
    split_batches: bool = False  # a batch may pass through the model in parts (training.tokens_per_pass)
    length_batches: bool = False  # its batches follow the rows' own lengths: padding-free, grouped by length
    # Which rows can train at max_length (backend/data/fit.py): "reply" (the prompt kept whole, the reply cut; a
    # row with no room for a reply token is left out), "whole" (a row longer than max_length is left out),
    # "prompt" (the prompt must fit; the reply is generated), "" (nothing left out: pt packs its texts)
    fit: str = ""
    unit: str = "rows"  # what its rows are called in the messages: rows, pairs, replies, prompts
    refused: Refusal | None = None


PAIRS = msg("rows.need_pairs")

STAGE_REGISTRY: dict[str, Stage] = {s.name: s for s in (
    Stage("pt", accepts=("text", "sft"), convert="text", builder="backend.training.stages.pt", fused_head=True,
          split_batches=True,
          detail=msg("rows.need_text_or_conversations")),
    Stage("sft", accepts=("sft", "preference", "kto", "prompt"), convert="sft", builder="backend.training.stages.sft",
          fused_head=True, split_batches=True, length_batches=True, fit="reply", detail=msg("rows.need_conversations")),
    Stage("rm", accepts=("preference",), convert="pairs", builder="backend.training.stages.rm", score_head=True,
          sequences=2, fit="whole", unit="pairs", detail=PAIRS,
          refused=Refusal(methods=PROMPT_METHODS,
                          why=msg("spec.rm_prompt_methods"))),
    Stage("dpo", accepts=("preference",), convert="pairs", builder="backend.training.stages.dpo", fused_head=True,
          sequences=2, reference_copy=True, fit="reply", unit="pairs", detail=PAIRS),
    Stage("orpo", accepts=("preference",), convert="rendered_pairs", builder="backend.training.stages.orpo",
          sequences=2, fit="reply", unit="pairs", detail=PAIRS),
    Stage("kto", accepts=("kto", "preference"), convert="kto", builder="backend.training.stages.kto", fused_head=True,
          sequences=2, reference_copy=True, fit="reply", unit="replies", detail=msg("rows.need_labelled_or_pairs")),
    Stage("grpo", accepts=("prompt", "sft"), convert="grpo", builder="backend.training.stages.grpo", fused_head=True,
          generates=True, fit="prompt", unit="prompts", detail=msg("rows.need_prompts_or_conversations")),
    Stage("ppo", generates=True,
          refused=Refusal(why=msg("spec.ppo_removed"))),
)}
STAGES = tuple(STAGE_REGISTRY)  # the names, in the wizard's order


def get_stage(name: str) -> Stage:
    """The record of the stage `name`; for a name that is no stage, a blank record (no data, no trainer)."""
    return STAGE_REGISTRY.get(name) or Stage(name)


def stage_method_problems(stage: str, method: str) -> list[SpecIssue]:
    """The stage refused here, or refused with this method: the problem, on the field to change."""
    refused = get_stage(stage).refused
    if refused is None or (refused.methods and method not in refused.methods):
        return []
    return [SpecIssue("method.name" if refused.methods else "stage", refused.why)]
