"""The job spec's sections but `training` and `distributed`: the model, the data, the method, the settings
of the stages beyond sft (`align`) and the exports, each field with its help text, and the choices they take.

Part of backend.spec (which re-exports them); the rules of what fits together are in backend/spec/job.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.spec.checks import help_metadata as _help

METHODS = ("full", "freeze", "lora", "dora", "rslora", "qlora", "adalora", "ia3", "prefix", "prompt", "ptuning")
LORA_FAMILY = ("lora", "dora", "rslora", "qlora", "adalora")
PROMPT_METHODS = ("prefix", "prompt", "ptuning")
DPO_LOSSES = ("sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot",
              "aot_unpaired", "apo_zero", "apo_down", "discopop", "sigmoid_norm")
GRPO_LOSSES = ("dapo", "grpo", "dr_grpo", "bnpo", "cispo", "sapo")
REWARDS = ("exact_match", "format", "length", "valid_json")
DATA_FORMATS = ("auto", "alpaca", "sharegpt", "messages", "preference", "kto", "text", "prompt")
REASONING = ("keep", "drop")
# Roles a file column can play (LLaMA-Factory's names, plus text, reasoning and reference).
COLUMN_ROLES = ("prompt", "query", "response", "history", "system", "messages", "tools", "chosen", "rejected",
                "kto_tag", "text", "reasoning", "reference", "images")
TAG_KEYS = ("role_tag", "content_tag", "user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag")
EXPORT_FORMATS = ("adapter",)
DEMO = "demo"
DEMO_VL = "demo-vl"  # the offline vision-language demo: a tiny Qwen2-VL (model) and mllm_demo (data)


@dataclass
class ModelSpec:
    name_or_path: str = field(
        default=DEMO,
        metadata=_help(
            "`demo` (a tiny model built offline), `demo-vl` (a tiny vision-language model built offline), a local "
            "folder, or a Hugging Face hub id such as `Qwen/Qwen2.5-0.5B-Instruct` or `Qwen/Qwen2-VL-2B-Instruct`."
        ),
    )
    trust_remote_code: bool = field(
        default=False,
        metadata=_help("Run Python code shipped with the model. Only for models you trust."),
    )
    chat_template: str = field(
        default="",
        metadata=_help(
            "Chat template to use when the tokenizer has none: a name from templates/ "
            "(e.g. `chatml`). Empty: the tokenizer's own, else chatml."
        ),
    )


@dataclass
class DataSpec:
    train: str = field(
        default=DEMO,
        metadata=_help(
            "`demo` (the built-in self-cognition set), `demo-vl` (LLaMA-Factory's mllm_demo: questions about "
            "three photos; `demo-vl-dpo`: preference pairs about them), a file (json, jsonl, csv, tsv, parquet, arrow, "
            "txt), a folder of them, a hub dataset id (`org/name`), or an entry of a LLaMA-Factory "
            "dataset_info.json (see dataset_dir). Several, separated by commas, are mixed."
        ),
    )
    format: str = field(
        default="auto",
        metadata=_help(
            "Row format: `auto` detects it from the columns (the reason is shown); alpaca, sharegpt, "
            "messages, preference (chosen/rejected), kto (labelled replies), text (pretraining) or "
            "prompt (prompts only, for grpo).",
            choices=DATA_FORMATS,
        ),
    )
    columns: dict = field(
        default_factory=dict,
        metadata=_help(
            "Which file column plays which role, e.g. {prompt: question, response: answer}; empty = "
            "detected. Roles: " + ", ".join(COLUMN_ROLES) + "."
        ),
    )
    tags: dict = field(
        default_factory=dict,
        metadata=_help(
            "For conversations with custom keys, e.g. {role_tag: speaker, content_tag: text, "
            "user_tag: customer, assistant_tag: agent}; empty = from/value or role/content."
        ),
    )
    dataset_dir: str = field(
        default="",
        metadata=_help("Folder holding a LLaMA-Factory dataset_info.json, whose entry names `train` may use."),
    )
    subset: str = field(default="", metadata=_help("Hub datasets: the subset (configuration) name, if any."))
    split: str = field(default="train", metadata=_help("Hub datasets: the split to train on."))
    mix: list = field(
        default_factory=list,
        metadata=_help(
            "With several datasets: how much of each to take, in order; a share (0-1] of its rows or a "
            "row count (> 1). Empty = all of every one."
        ),
    )
    eval: str = field(default="", metadata=_help("Optional separate evaluation file (or source)."))
    eval_split: float = field(
        default=0.0,
        metadata=_help(
            "Rows held out for evaluation: a share (below 1, e.g. 0.1) or a count (1 or more, e.g. 200); "
            "0 = none."
        ),
    )
    seed: int = field(default=42, metadata=_help("Seed for shuffling, sampling and the eval split."))
    shuffle: bool = field(default=True, metadata=_help("Shuffle the rows (mixed sets are interleaved)."))
    dedupe: bool = field(default=False, metadata=_help("Drop rows that are exact copies of an earlier row."))
    reasoning: str = field(
        default="keep",
        metadata=_help(
            "Replies with reasoning (`<think>` or a reasoning field): `keep` trains on it, `drop` removes it.",
            choices=REASONING,
        ),
    )
    placeholders: dict = field(
        default_factory=dict,
        metadata=_help(
            "Values for `{{key}}` placeholders in the data, e.g. name and author for the "
            "self-cognition set."
        ),
    )


@dataclass
class MethodSpec:
    name: str = field(
        default="lora",
        metadata=_help(
            "Fine-tuning method: full (every weight), freeze (only the last layers or chosen modules), "
            "lora / dora / rslora (small adapters), qlora (adapters on a 4- or 8-bit base), adalora "
            "(adapter rank that adapts), ia3 (learned scaling vectors), prefix / prompt / ptuning "
            "(learned virtual tokens).",
            choices=METHODS,
        ),
    )
    lora_r: int = field(
        default=8,
        metadata=_help("LoRA rank: capacity of the adapter. Usual values 8-64."),
    )
    lora_alpha: int = field(
        default=16,
        metadata=_help("LoRA scaling (alpha / r scales the update). Usually 1-2x the rank."),
    )
    lora_dropout: float = field(
        default=0.05,
        metadata=_help("Dropout on the adapter's input (0-0.5); higher fights overfitting."),
    )
    target_modules: str = field(
        default="all-linear",
        metadata=_help(
            "Layers that get an adapter: `all-linear` (recommended) or a comma-separated "
            "list such as `q_proj,v_proj`."
        ),
    )
    freeze_layers: int = field(
        default=2,
        metadata=_help("freeze: train only the last N transformer layers (and nothing else). Usual: 2-8."),
    )
    freeze_modules: str = field(
        default="",
        metadata=_help(
            "freeze: instead of the last layers, train only modules whose names contain one of these, "
            "e.g. `self_attn` (attention only) or `lm_head` (the output head). Empty: use freeze_layers."
        ),
    )
    quant_bits: int = field(
        default=4,
        metadata=_help("qlora: load the base weights in 4-bit NF4 (least memory) or 8-bit.", choices=(4, 8)),
    )
    double_quant: bool = field(
        default=True,
        metadata=_help("qlora 4-bit: also quantize the quantization constants (saves ~0.4 bit per weight)."),
    )
    adalora_init_r: int = field(
        default=12, metadata=_help("adalora: starting rank of every adapter, before pruning.")
    )
    adalora_target_r: int = field(
        default=4, metadata=_help("adalora: average rank kept at the end; important layers keep more.")
    )
    num_virtual_tokens: int = field(
        default=16,
        metadata=_help("prefix / prompt / ptuning: learned virtual tokens put before every input. Usual: 8-32."),
    )
    train_projector: bool = field(
        default=False,
        metadata=_help("Vision-language models: also train the projector (vision features -> language model), "
                       "whole. Off: it stays frozen, as the vision tower does."),
    )
    train_vision_tower: bool = field(
        default=False,
        metadata=_help("Vision-language models: also train the vision tower (LoRA on its linear layers with a "
                       "LoRA method; every weight with full or freeze). Needs more memory and data."),
    )


@dataclass
class AlignSpec:
    """Settings of the stages beyond sft (ignored by the others)."""

    beta: float = field(
        default=0.1,
        metadata=_help(
            "dpo, orpo, kto: how strongly the model is held near the original (dpo/kto) or how much the "
            "odds-ratio term weighs (orpo). Usual 0.05-0.5."
        ),
    )
    dpo_loss: str = field(
        default="sigmoid",
        metadata=_help(
            "dpo loss: sigmoid (the original DPO), ipo (less overfitting to the pairs), hinge (SLiC), "
            "robust (noisy labels), apo_zero / apo_down (anchored), and the others TRL offers.",
            choices=DPO_LOSSES,
        ),
    )
    kto_desirable_weight: float = field(
        default=1.0, metadata=_help("kto: weight of the desirable replies' loss (raise it when they are fewer).")
    )
    kto_undesirable_weight: float = field(
        default=1.0, metadata=_help("kto: weight of the undesirable replies' loss.")
    )
    num_generations: int = field(
        default=4,
        metadata=_help("grpo: replies sampled per prompt and compared with each other. Usual 4-16."),
    )
    max_completion_length: int = field(
        default=64, metadata=_help("grpo: longest sampled reply, in tokens.")
    )
    temperature: float = field(default=1.0, metadata=_help("grpo: sampling temperature of the replies."))
    grpo_loss: str = field(
        default="dapo",
        metadata=_help(
            "grpo loss: dapo (no length bias; TRL's default), grpo (the original), dr_grpo, bnpo, cispo, sapo.",
            choices=GRPO_LOSSES,
        ),
    )
    importance_sampling: str = field(
        default="token",
        metadata=_help("grpo: `token` (GRPO/DAPO) or `sequence` (GSPO: one ratio per reply, often steadier).",
                       choices=("token", "sequence")),
    )
    rewards: dict = field(
        default_factory=lambda: {"exact_match": 1.0},
        metadata=_help(
            "grpo rewards and their weights: exact_match (the reply's answer equals the reference), format "
            "(`<think>...</think>` then an answer), length (close to length_target tokens), valid_json "
            "(the reply parses as JSON)."
        ),
    )
    length_target: int = field(default=32, metadata=_help("grpo `length` reward: the reply length aimed at, in tokens."))


@dataclass
class ExportSpec:
    formats: list = field(
        default_factory=list,
        metadata=_help("Exports made right after training, e.g. `[adapter]`.", choices=EXPORT_FORMATS),
    )
