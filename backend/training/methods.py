"""Fine-tuning methods: how the base model is loaded and what of it trains.

    model = load_model_for(spec, model_path, device, task="causal_lm")  # qlora: 4/8-bit base
    apply_freeze(model, spec)              # full: everything trains; freeze: last layers / modules
    config = peft_config_for(spec, task="causal_lm", total_steps=n)   # None for full and freeze
    callbacks = method_callbacks(spec)     # adalora: the rank allocation the Trainer must call

(Interface shared by the stage builders: backend/training/stages/.)

What trains, per method:
  full      every parameter.
  freeze    the last `freeze_layers` decoder layers, or the parameters whose names contain one of
            `freeze_modules`; a reward model's score head always (it starts random).
  lora      low-rank A/B matrices beside the `target_modules` linears; dora adds a magnitude
            vector per module, rslora scales by alpha/sqrt(r), qlora is lora on a 4/8-bit base.
  adalora   SVD-shaped adapters (A, E, B) whose rank is pruned from init_r towards target_r
            during training (method_callbacks does the pruning; without it AdaLoRA is plain LoRA).
  ia3       one scaling vector per k/v/down projection.
  prefix    learned keys/values for every layer; prompt: learned input embeddings; ptuning:
            learned input embeddings produced by a small MLP.
"""

from __future__ import annotations

import math

from backend.messages import msg
from backend.plan.param_count import IA3_FEEDFORWARD, IA3_TARGETS, PTUNING_ENCODER_HIDDEN
from backend.spec import JobSpec, MethodSpec

TASKS = ("causal_lm", "seq_cls", "vision")  # vision: a vision-language model (backend/training/vision_model.py)
# Classification heads of AutoModelForSequenceClassification models (PEFT's SEQ_CLS names).
HEAD_NAMES = ("score", "classifier")


def target_modules(method: MethodSpec) -> str | list[str]:
    value = method.target_modules.strip()
    if value in ("all-linear", "all_linear", "all"):
        return "all-linear"
    return [m.strip() for m in value.split(",") if m.strip()]


def total_steps(spec: JobSpec, n_rows: int, world_size: int = 1) -> int:
    """Optimizer steps a run makes, as transformers' Trainer counts them (AdaLoRA needs it up front)."""
    t = spec.training
    if t.max_steps > 0:
        return t.max_steps
    batches = math.ceil(max(n_rows, 1) / (t.batch_size * world_size))
    per_epoch = max(math.ceil(batches / t.gradient_accumulation_steps), 1)
    return max(math.ceil(t.num_epochs * per_epoch), 1)


def load_model_for(spec: JobSpec, model_path: str, device: str, task: str = "causal_lm",
                   attn_implementation: str | None = None):
    """The base model as the method needs it. task: causal_lm | seq_cls (reward model, 1 label).
    attn_implementation: the attention kernel (backend.training.accel), or transformers' default."""
    from backend.training.model import load_model
    from backend.training.quantized import keep_training_layout, quantization_config

    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; accepted: {', '.join(TASKS)}")
    quant = quantization_config(spec, device, vision=task == "vision")
    model = load_model(model_path, spec, device, task=task, quantization_config=quant,
                       attn_implementation=attn_implementation)
    if quant is not None:
        from peft import prepare_model_for_kbit_training

        keep_training_layout(model)  # no lossy, backward-less CPU inference repack at an evaluation
        # Freezes the base, casts the non-quantized weights (norms, embeddings) to fp32. Gradient
        # checkpointing stays off here: the trainer's own setting turns it on when asked for.
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model


def apply_freeze(model, spec: JobSpec) -> None:
    """full: every parameter trains; freeze: only the chosen layers/modules; PEFT methods: no-op."""
    m = spec.method
    if m.name not in ("full", "freeze"):
        return
    # remove_duplicate=False lists a tied lm_head under its own name too. With tied embeddings (the
    # demo, most small Qwen/Llama models) lm_head.weight *is* model.embed_tokens.weight: training
    # `lm_head` therefore also trains the input embeddings, and vice versa: one matrix, counted once.
    params = list(model.named_parameters(remove_duplicate=False))
    if m.name == "full":
        chosen = {n for n, _ in params}
    else:
        chosen = freeze_selection([n for n, _ in params], spec, _num_layers(model))
        if not chosen:
            from backend.training.errors import TrainingError

            sample = ", ".join(n for n, _ in params[1:4])
            raise TrainingError("bad_spec", msg("training.freeze_modules_no_match", modules=repr(m.freeze_modules),
                                                sample=sample), msg("training.freeze_modules_no_match_hint"))
    for _, param in params:
        param.requires_grad = False
    for name, param in params:
        if name in chosen:
            param.requires_grad = True
            # Half-precision weights (a GPU load) that train get an fp32 master copy: the optimizer's
            # small updates would vanish in bf16, and fp16's gradient scaler refuses fp16 weights.
            if param.dtype.is_floating_point and param.element_size() < 4:
                param.data = param.data.float()


def freeze_selection(names: list[str], spec: JobSpec, num_layers: int) -> set[str]:
    """The parameter names the freeze method trains (`names` from named_parameters)."""
    m = spec.method
    wanted = [s.strip() for s in m.freeze_modules.split(",") if s.strip()]
    if wanted:
        chosen = {n for n in names if any(w in n for w in wanted)}
    else:
        first = max(num_layers - m.freeze_layers, 0)
        chosen = {n for n in names if (i := _layer_index(n)) is not None and i >= first}
    # A reward model's head is new (random): it must train whatever else is frozen.
    chosen |= {n for n in names if n.split(".")[0] in HEAD_NAMES}
    return chosen


def _layer_index(name: str) -> int | None:
    """The decoder layer a parameter belongs to (`...layers.<i>.` / `...h.<i>.`), or None."""
    parts = name.split(".")
    for i, part in enumerate(parts[:-1]):
        if part in ("layers", "h", "blocks", "layer") and parts[i + 1].isdigit():
            return int(parts[i + 1])
    return None


def _num_layers(model) -> int:
    config = getattr(model, "config", None)
    config = getattr(config, "get_text_config", lambda: config)()
    n = getattr(config, "num_hidden_layers", None)
    if n:
        return int(n)
    indices = [i for name, _ in model.named_parameters() if (i := _layer_index(name)) is not None]
    return max(indices) + 1 if indices else 0


def peft_config_for(spec: JobSpec, task: str = "causal_lm", total_steps: int | None = None):
    """The PEFT config of the method, or None (full, freeze)."""
    from peft import (
        AdaLoraConfig,
        IA3Config,
        LoraConfig,
        PrefixTuningConfig,
        PromptEncoderConfig,
        PromptTuningConfig,
        PromptTuningInit,
        TaskType,
    )

    m = spec.method
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; accepted: {', '.join(TASKS)}")
    task_type = TaskType.SEQ_CLS if task == "seq_cls" else TaskType.CAUSAL_LM
    if m.name in ("full", "freeze"):
        return None
    if task == "vision":  # its adapters: backend.training.vision_model.vision_lora_config (stages.common asks it)
        raise ValueError("a vision-language model's LoRA config is backend.training.vision_model.vision_lora_config")
    if m.name in ("lora", "dora", "rslora", "qlora"):
        return LoraConfig(
            task_type=task_type,
            r=m.lora_r,
            lora_alpha=m.lora_alpha,
            lora_dropout=m.lora_dropout,
            target_modules=target_modules(m),
            use_dora=m.name == "dora",
            use_rslora=m.name == "rslora",
        )
    if m.name == "adalora":
        if not total_steps or total_steps <= 0:
            raise ValueError(msg("training.adalora_needs_total_steps"))
        # Phases: tinit steps at full rank, then the rank budget shrinks towards target_r, and the
        # last tfinal steps train at the final ranks (which are saved in the adapter's config).
        tfinal = min(max(total_steps // 5, 1), total_steps - 1)
        tinit = min(total_steps // 10, max(total_steps - tfinal - 1, 0))
        return AdaLoraConfig(
            task_type=task_type,
            init_r=m.adalora_init_r,
            target_r=m.adalora_target_r,
            lora_alpha=m.lora_alpha,
            lora_dropout=m.lora_dropout,
            target_modules=target_modules(m),
            total_step=total_steps,
            tinit=tinit,
            tfinal=tfinal,
            deltaT=max(total_steps // 100, 1),
        )
    if m.name == "ia3":
        targets = target_modules(m)
        if targets == "all-linear":
            targets = list(IA3_TARGETS)
        return IA3Config(
            task_type=task_type,
            target_modules=targets,
            feedforward_modules=[t for t in targets if t.rsplit(".", 1)[-1] in IA3_FEEDFORWARD],
        )
    if m.name == "prefix":
        return PrefixTuningConfig(task_type=task_type, num_virtual_tokens=m.num_virtual_tokens)
    if m.name == "prompt":
        return PromptTuningConfig(task_type=task_type, num_virtual_tokens=m.num_virtual_tokens,
                                  prompt_tuning_init=PromptTuningInit.RANDOM)
    if m.name == "ptuning":
        return PromptEncoderConfig(task_type=task_type, num_virtual_tokens=m.num_virtual_tokens,
                                   encoder_hidden_size=PTUNING_ENCODER_HIDDEN)
    raise ValueError(f"unknown method {m.name!r}")


def method_callbacks(spec: JobSpec) -> list:
    """Trainer callbacks a method needs: adalora's rank allocation (nothing else calls it)."""
    if spec.method.name != "adalora":
        return []
    from transformers import TrainerCallback

    class AdaLoraAllocation(TrainerCallback):
        # After optimizer.step and before zero_grad (the importance scores read the gradients), with
        # the 0-based step PEFT's own loop passes.
        def on_optimizer_step(self, args, state, control, model=None, **kwargs):
            peft_model = _unwrap(model)
            if peft_model is not None and hasattr(peft_model.base_model, "update_and_allocate"):
                peft_model.base_model.update_and_allocate(state.global_step)

    return [AdaLoraAllocation()]


def _unwrap(model):
    while model is not None and not hasattr(model, "peft_config") and hasattr(model, "module"):
        model = model.module
    return model if hasattr(model, "peft_config") else None


def trainable_counts(model) -> tuple[int, int]:
    """(trainable, total) parameters, as PEFT's get_nb_trainable_parameters counts them: a 4-bit
    weight (two values per stored byte) counts its real element count; shared tensors count once."""
    trainable = total = 0
    for _, param in model.named_parameters():
        n = param.numel()
        if n == 0 and hasattr(param, "ds_numel"):  # DeepSpeed ZeRO-3 keeps the count aside
            n = param.ds_numel
        if param.__class__.__name__ == "Params4bit":
            size = param.element_size() if hasattr(param, "element_size") else 1
            n = n * 2 * size
        total += n
        if param.requires_grad:
            trainable += n
    return trainable, total


def peft_config(method: MethodSpec):
    """Kept for callers of the LoRA-only version."""
    return peft_config_for(JobSpec(method=method))
