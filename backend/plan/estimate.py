"""Will this job fit? A memory estimate from the spec and config.json, and what to change if not.

    from backend.plan.estimate import estimate_memory, recommend, format_bytes
    est = estimate_memory(spec, config, "cuda")      # config: the model's config.json as a dict
    print(format_bytes(est.total), est.parts())
    rec = recommend(spec, config, hardware)          # hardware: backend.plan.hardware.detect()
    print(rec.reason, rec.changes)                   # e.g. {"method.name": "qlora", ...}

Its notes and reasons are Messages (backend.messages: English text with an id and values), which the studio
shows in the page's language.

Torch-free (the UI calls it on every change of the form). Every part is in bytes:

    weights      base weights in the compute dtype (fp32 on a CPU, bf16/fp16 on a GPU);
                 qlora: the decoder's linear weights in 4 bits (0.5 B + quantization constants:
                 one fp32 absmax per 64 weights, or with double quantization one byte per 64 and
                 an fp32 per 16,384) or 8 bits (1 B); embeddings, norms, biases and the lm_head in
                 fp32 (prepare_model_for_kbit_training casts them). full/freeze in mixed precision:
                 the trained weights are fp32 master weights (methods.apply_freeze casts them) plus
                 the bf16/fp16 copy autocast keeps of each for the backward pass, 6 B per weight.
                 Adapter weights (PEFT methods) in fp32.
    gradients    trainable x 4 B (the trainable weights are fp32: PEFT keeps adapters in fp32, full
                 fine-tuning in mixed precision trains fp32 master weights, a CPU trains in fp32).
    optimizer    AdamW's two fp32 moments, 2 x trainable x 4 B.
    activations  what the backward pass keeps (with training.gradient_checkpointing on: each layer's
                 input, layers x h a token, plus one layer's per_token below; not calibrated),
                 without gradient checkpointing:
                 ACTIVATION_FACTOR x batch x max_length (batch: the rows of one pass, which on a CPU
                 is a part of the batch for sft and pt: training.tokens_per_pass) x layers x bytes x per_token, with
                 per_token = 7 h + 2 kv + 4 i [+ ADAPTER_ACTIVATION x a]
                 h = hidden, kv = key/value width (kv heads x head_dim), i = intermediate, bytes =
                 compute dtype size, a = sum of the in_features of the layers one decoder layer adapts
                 (LoRA family; all-linear: 6 h + i for Llama/Qwen). 7 h + 2 kv + 4 i counts the tensors
                 autograd keeps per token and layer (two norm inputs and outputs, q, k, v, the attention
                 output and o_proj's input, the MLP's gate, activation, up and product; SDPA keeps no
                 length x length matrix); torch's saved-tensor hooks count 3275 values on the demo
                 model against 3072 from the formula. The adapter term is each adapted input's
                 dropped-out copy and mask plus its gradient buffers in the backward pass. The factor
                 covers what else the backward pass and the allocator hold at the peak.
    logits       on a CPU, where batch x max_length x vocab <= 2^25: 3 x that x 4 B (the dense head of
                 backend/training/lm_head.py); otherwise
                 LOGITS_FACTOR x min(batch x max_length, 4096) x min(vocab, 32768) x 4 B: TRL's fused
                 LM head (TRL >= 1.16) never builds the whole batch x length x vocab logits; it scores
                 tiles of at most 4096 tokens x 32768 vocabulary entries (fp32 on the CPU, where the
                 tile is folded with torch ops that make a few tile-sized temporaries).
    overhead     a GPU: the CUDA context and allocator slack (GPU_OVERHEAD); a CPU: the worker
                 process with torch, transformers, TRL and PEFT loaded and the trainer built
                 (CPU_PROCESS), a fixed CPU_TRAIN_FIXED, and CPU_WEIGHT_SLACK x the bytes of the
                 unquantized weights (measured: training on a CPU holds about that much more RSS,
                 independent of batch and length, for full, lora and qlora alike). qlora adds the
                 largest layer dequantized (a transient buffer).

The factors were calibrated on a CPU against measured peak RSS (benchmarks/bench_memory_estimate.py,
figures in benchmarks/README.md); on a GPU the same formula runs with the compute dtype's size and
awaits a measurement. Stages beyond sft are approximated: paired stages
(dpo, orpo, rm, kto) double the activations and logits; dpo and kto with full/freeze keep a frozen
reference copy of the weights.

A vision-language model (a config with a vision_config): the parts above are its language model's, with the
image tokens in its rows' lengths (`image_tokens`), plus its vision tower's and projector's weights, gradients,
optimizer states and activations (backend/plan/vision_memory.py), kept apart in Estimate.vision too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from backend.messages import Message, msg
from backend.plan.batches import DENSE_MAX_ELEMENTS, resolve_batching, rows_per_pass
from backend.plan.param_count import language_trainable, linear_shapes, parameter_table
from backend.spec import LORA_FAMILY, JobSpec, get_stage

GB = 1024**3
# Calibrated on a CPU (see the module docstring).
# GPU: from torch.cuda.max_memory_allocated on bench_gpu.py's jobs (an H200, benchmarks/README.md): 25.2k bf16
# values kept a token and layer on the 0.5B job with padded batches against 21.1k from the formula, before
# the LoRA input copies were dropped (3 h of them), so 1.1
ACTIVATION_FACTOR = {"cpu": 1.2, "cuda": 1.1}
ADAPTER_ACTIVATION = 2.4  # values kept per token and layer for each input feature of an adapted layer
LOGITS_FACTOR = {"cpu": 8.5, "cuda": 1.0}  # tile-sized fp32 buffers of the fused LM head (GPU: not measured)
CPU_PROCESS = 500 * 1024**2  # the worker process: Python + torch + transformers + TRL + PEFT, the trainer built
CPU_TRAIN_FIXED = 15 * 1024**2  # what the first training steps add whatever the model and batch
CPU_WEIGHT_SLACK = 1.1  # x the bytes of the unquantized weights, held during training on a CPU
GPU_OVERHEAD = 768 * 1024**2  # CUDA context (~0.5 GB) + caching-allocator fragmentation (not measured)
HEADROOM = 0.15  # a plan fits when its estimate leaves this share of the budget free
QLORA_BLOCK = 64  # bitsandbytes 4-bit: one absmax per 64 weights
DOUBLE_QUANT_BLOCK = 256  # double quantization: the absmaxes in 8 bits, one fp32 per 256 of them
MIN_LENGTH = 128  # the recommendation shortens max_length no further than this
# trl.kernels.chunked_logprob.TOKEN_CHUNK_SIZE and trl.trainer.utils._CHUNKED_LOGPROB_CHUNK_SIZE (TRL 1.16).
DENSE_HEAD_COPIES = 3  # whole-logit copies of the CPU head (backend/training/lm_head.py) at its peak
LOGITS_TILE_TOKENS = 4096
LOGITS_TILE_VOCAB = 32768


# Model types Liger Kernel (0.8) has fused kernels for (liger_kernel.transformers.monkey_patch), kept here so
# the estimate need not import it (it imports torch and Triton).
LIGER_MODEL_TYPES = frozenset(
    "deepseek_v2 deepseek_v3 gemma gemma2 gemma3_text gemma3 glm4 gpt_oss granite llama llama4_text mistral "
    "ministral mixtral nemotron olmo2 olmo3 qwen2 qwen3 qwen3_moe qwen2_vl qwen2_5_vl qwen3_vl smollm3 phi3 "
    "falcon_h1 exaone4".split())


class EstimateError(ValueError):
    """config.json lacks what the estimate needs (hidden_size, num_hidden_layers, ...)."""


@dataclass
class Estimate:
    weights: int
    gradients: int
    optimizer: int
    activations: int
    logits: int
    overhead: int
    device: str
    trainable_params: int
    total_params: int
    compute_bytes: int  # bytes per value of the compute dtype (4 fp32, 2 bf16/fp16)
    notes: list[Message] = field(default_factory=list)
    vision: object = None  # backend.plan.vision_memory.VisionEstimate: its share of the parts above (a VLM)

    PARTS = ("weights", "gradients", "optimizer", "activations", "logits", "overhead")

    @property
    def total(self) -> int:
        return sum(self.parts().values())

    def parts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.PARTS}

    def describe(self) -> str:
        """`6.2 GB: weights 1.0 GB, gradients 12 MB, ...`"""
        items = ", ".join(f"{k} {format_bytes(v)}" for k, v in self.parts().items())
        return f"{format_bytes(self.total)}: {items}"


@dataclass
class Recommendation:
    action: str  # "keep" | "change" | "nothing_fits" | "unknown"
    reason: Message  # one sentence
    changes: dict = field(default_factory=dict)  # dotted field -> new value, for JobSpec.with_overrides
    estimate: Estimate | None = None  # of the spec as recommended (the original one for keep/nothing_fits)
    original: Estimate | None = None
    budget: int | None = None
    device: str = "cpu"

    @property
    def fits(self) -> bool | None:
        return {"keep": True, "change": True, "nothing_fits": False}.get(self.action)

    def overrides(self) -> list[str]:
        """`--set` strings: spec.with_overrides(rec.overrides())."""
        return [f"{k}={v}" for k, v in self.changes.items()]


def format_bytes(n: int | float | None) -> str:
    """1536 -> `1.5 KB`, 3 * 1024**3 -> `3.0 GB` (binary units, the way memory is sold)."""
    if n is None:
        return "?"
    n = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover


def _dims(config: dict) -> dict:
    cfg = config
    if "hidden_size" not in cfg and isinstance(cfg.get("text_config"), dict):
        cfg = {**cfg["text_config"], "tie_word_embeddings": cfg.get("tie_word_embeddings", False)}
    try:
        h = int(cfg["hidden_size"])
        heads = int(cfg["num_attention_heads"])
        kv = int(cfg.get("num_key_value_heads") or heads)
        head_dim = int(cfg.get("head_dim") or h // heads)
        return dict(h=h, heads=heads, kv_dim=kv * head_dim, inter=int(cfg.get("intermediate_size") or 4 * h),
                    layers=int(cfg["num_hidden_layers"]), vocab=int(cfg["vocab_size"]))
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as e:
        raise EstimateError(msg("plan.config_lacks", what=str(e))) from None


def activation_factor(device: str) -> float:
    return ACTIVATION_FACTOR["cuda" if device == "cuda" else "cpu"]


def logits_factor(device: str) -> float:
    return LOGITS_FACTOR["cuda" if device == "cuda" else "cpu"]


def compute_bytes(spec: JobSpec, device: str) -> int:
    """Size of a value in the compute dtype, as backend.training.model.pick_dtype/load_model choose it:
    fp32 on a CPU (weights stay fp32 there), bf16/fp16 on a GPU unless precision is fp32."""
    if device != "cuda":
        return 4
    return 4 if spec.training.precision == "fp32" else 2


def _adapted_inputs(spec: JobSpec, config: dict) -> int:
    """Sum of in_features of the linear layers one decoder layer adapts (LoRA family)."""
    shapes = linear_shapes(config)
    value = spec.method.target_modules.strip()
    if value in ("all-linear", "all_linear", "all"):
        names = list(shapes)
    else:
        names = [n for n in (m.strip().rsplit(".", 1)[-1] for m in value.split(",")) if n in shapes]
    return sum(shapes[n][0] for n in names)


def largest_pass_tokens(spec: JobSpec, device: str, lengths: list[int] | None = None) -> int:
    """Tokens in the largest forward pass of the run: rows of one pass x max_length without the data's
    lengths; with them (sft: each row's token count), as the batches will be made
    (backend.training.batching): padded batches hold the longest row's length in every row of its batch;
    padding-free batches hold their rows' own tokens, the b longest together when rows of similar length
    are grouped, else whatever a random order puts together (the largest batch sum over the run's
    epochs in a seeded shuffle, as the trainer's sampler draws them)."""
    t = spec.training
    b = rows_per_pass(spec, t.batch_size, t.max_length, device)
    if not lengths or not get_stage(spec.stage).length_batches:
        return b * t.max_length
    cut = [min(int(n), t.max_length) for n in lengths if n and n > 0] or [t.max_length]
    padding_free, grouped = resolve_batching(spec, device)
    if not padding_free:
        return b * max(cut)
    if grouped or len(cut) <= b:
        return sum(sorted(cut)[-b:])
    return _largest_random_batch(cut, b, t.seed, t.num_epochs if t.max_steps <= 0 else 1)


RANDOM_SAMPLE_ROWS = 20000  # rows kept for the shuffle of a larger set (a seeded sample of them)


def _largest_random_batch(lengths: list[int], b: int, seed: int, epochs: float, trials: int = 4) -> int:
    """The expected largest batch sum of a random order over the run's epochs (the mean over a few seeded
    trials of the largest over that many shuffles; at most 3 epochs are drawn)."""
    import random

    rng = random.Random(seed)
    if len(lengths) > RANDOM_SAMPLE_ROWS:
        lengths = rng.sample(lengths, RANDOM_SAMPLE_ROWS)
    found = []
    for _ in range(trials):
        largest = 0
        for _ in range(max(1, min(3, math.ceil(epochs)))):
            order = lengths[:]
            rng.shuffle(order)
            largest = max(largest, max(sum(order[i:i + b]) for i in range(0, len(order), b)))
        found.append(largest)
    return round(sum(found) / len(found))


def fused_kernels_expected(spec: JobSpec, config: dict, device: str) -> bool:
    """Whether the worker will use Liger's fused kernels (backend.training.accel), without importing it:
    installed, a GPU, and a model type Liger knows."""
    import importlib.util

    choice = spec.training.fused_kernels
    if choice == "off" or device != "cuda":
        return False
    kind = config.get("model_type") or (config.get("text_config") or {}).get("model_type")
    return choice == "on" or (kind in LIGER_MODEL_TYPES and importlib.util.find_spec("liger_kernel") is not None)


def estimate_memory(spec: JobSpec, config: dict, device: str, lengths: list[int] | None = None,
                    image_tokens: list[int] | None = None) -> Estimate:
    """Peak memory of training `spec` on the model `config` describes, on "cuda" or "cpu". `lengths`: the
    training rows' token counts where known (the Data step's sample, or the tokenized set): the largest
    batch is then counted as it will be made instead of every row at max_length. `image_tokens`: a
    vision-language model's rows' image tokens (the same rows as `lengths`), added to their lengths."""
    d = _dims(config)
    stage = get_stage(spec.stage)
    if lengths and image_tokens and len(image_tokens) == len(lengths):
        lengths = [n + k for n, k in zip(lengths, image_tokens)]
    try:
        trainable, total = language_trainable(spec, config)
        table = parameter_table(config, "score" if stage.score_head else "lm_head")
    except (KeyError, TypeError, ValueError) as e:
        raise EstimateError(msg("plan.config_lacks", what=str(e))) from None
    m, t = spec.method, spec.training
    cb = compute_bytes(spec, device)
    notes: list[Message] = []
    text_cfg = config.get("text_config") if isinstance(config.get("text_config"), dict) else config
    if any(int(text_cfg.get(k) or 0) > 1 for k in ("num_experts", "num_local_experts", "n_routed_experts")):
        notes.append(msg("plan.note_moe"))
    if stage.generates:
        notes.append(msg("plan.note_generation", stage=spec.stage))
    is_peft = m.name not in ("full", "freeze")
    base = sum(c for _, c in table)
    adapter = total - base if is_peft else 0

    # -- weights -------------------------------------------------------------------------------
    linear = sum(c for n, c in table if n.startswith("model.layers.") and n.endswith("_proj.weight"))
    if m.name == "qlora":
        if m.quant_bits == 4:
            per = 0.5 + (1 / QLORA_BLOCK + 4 / (QLORA_BLOCK * DOUBLE_QUANT_BLOCK) if m.double_quant
                         else 4 / QLORA_BLOCK)
        else:
            per = 1.0 + 4 / max(1, d["h"])  # int8 weights + one fp32 scale per row
        # prepare_model_for_kbit_training (methods.load_model_for) casts the rest to fp32.
        weights = int(linear * per) + (base - linear) * 4
    elif is_peft:
        weights = base * cb
    else:
        # apply_freeze casts the trained weights to fp32; in mixed precision autocast also keeps a
        # compute-dtype copy of each for the backward pass.
        weights = (base - trainable) * cb + trainable * 4 + (trainable * cb if cb < 4 else 0)
        if cb < 4:
            notes.append(msg("plan.note_mixed_precision"))
    weights += adapter * 4  # PEFT keeps adapter weights in fp32

    # -- gradients and optimizer ---------------------------------------------------------------
    gradients = trainable * 4  # of fp32 weights
    optimizer = 2 * trainable * 4  # AdamW's two fp32 moments

    # -- activations and logits ----------------------------------------------------------------
    # sft and pt pass a batch through the model in parts on a CPU (training.tokens_per_pass)
    layers = d["layers"]
    tokens = largest_pass_tokens(spec, device, lengths)
    if lengths and stage.length_batches:
        notes.append(msg("plan.note_largest_batch", tokens=tokens))
    # Liger's SwiGLU keeps the gate and up projections and recomputes the activation (3 i, not 4 i)
    fused = fused_kernels_expected(spec, config, device)
    per_token = 7 * d["h"] + 2 * d["kv_dim"] + (3 if fused else 4) * d["inter"]
    if m.name in LORA_FAMILY and device != "cuda":
        # TRL casts the adapters of a quantized model to bf16, so their copies of the inputs take 2 B.
        adapter_bytes = min(cb, 2) if m.name == "qlora" else cb
        per_token += ADAPTER_ACTIVATION * _adapted_inputs(spec, config) * adapter_bytes / cb
    elif m.name in LORA_FAMILY and m.lora_dropout > 0:
        # on a GPU under autocast an adapter reads its layer's own input (backend.training.accel skips PEFT's
        # fp32 round trip), except for the dropped-out copy dropout makes, and its mask (1 B)
        per_token += _adapted_inputs(spec, config) * (1 + 1 / cb)
    act_bytes = cb
    if device == "cuda" and m.name == "qlora":
        # prepare_model_for_kbit_training keeps the embeddings and norms in fp32, so the residual stream and the
        # quantized layers' outputs are fp32: 4 B a value whatever the compute dtype
        act_bytes = 4
    pairs = stage.sequences
    if pairs > 1:
        notes.append(msg("plan.note_pairs", stage=spec.stage))
    factor = activation_factor(device)
    if t.gradient_checkpointing == "on":
        # each layer's input is kept; one layer's activations are rebuilt at a time in the backward pass
        notes.append(msg("plan.note_checkpointing"))
        activations = int(factor * pairs * tokens * act_bytes * (layers * d["h"] + per_token))
    else:
        activations = int(factor * pairs * tokens * layers * act_bytes * per_token)
    # TRL's fused LM head scores the tokens in tiles of at most LOGITS_TILE_TOKENS x LOGITS_TILE_VOCAB,
    # so the logits are never held whole; rm has a one-output head.
    vocab = 1 if stage.score_head else min(d["vocab"], LOGITS_TILE_VOCAB)
    logits = int(logits_factor(device) * min(pairs * tokens, LOGITS_TILE_TOKENS) * vocab * 4)
    if device == "cpu" and not stage.score_head and pairs * tokens * d["vocab"] <= DENSE_MAX_ELEMENTS:
        # backend/training/lm_head.py: on a CPU, logits this small are built whole (one copy kept for
        # the backward pass, two passing ones)
        logits = int(DENSE_HEAD_COPIES * pairs * tokens * d["vocab"] * 4)

    # -- the vision tower and projector of a vision-language model -----------------------------------
    from backend.plan.vision_memory import vision_estimate

    vis = vision_estimate(spec, config, device, rows_per_pass(spec, t.batch_size, t.max_length, device),
                          image_tokens, compute=cb, factor=factor)
    if vis is not None:
        weights += vis.weights
        gradients += vis.gradients
        optimizer += vis.optimizer
        activations += vis.activations
        trainable += vis.trainable
        total += vis.tower_params + vis.projector_params + vis.adapter_params
        notes.append(msg("plan.note_vision", images=vis.images, patches=vis.patches,
                         tokens=vis.tokens_per_image))

    # -- overhead ------------------------------------------------------------------------------
    if device == "cuda":
        overhead = GPU_OVERHEAD
    else:
        unquantized = (base - linear) * cb if m.name == "qlora" else base * cb
        if vis is not None:
            unquantized += (vis.tower_params + vis.projector_params) * cb
        overhead = CPU_PROCESS + CPU_TRAIN_FIXED + int(CPU_WEIGHT_SLACK * unquantized)
    if m.name == "qlora":
        overhead += max(i * o for i, o in linear_shapes(config).values()) * cb
    if stage.reference_copy and not is_peft:
        overhead += base * cb
        notes.append(msg("plan.note_reference_copy", stage=spec.stage))
    return Estimate(weights=int(weights), gradients=gradients, optimizer=optimizer, activations=activations,
                    logits=logits, overhead=overhead, device=device, trainable_params=trainable,
                    total_params=total, compute_bytes=cb, notes=notes, vision=vis)


def _device_for(spec: JobSpec, hardware) -> str:
    if spec.training.device in ("cpu", "cuda"):
        return spec.training.device
    return hardware.device


def fits(est: Estimate, budget: int | None) -> bool:
    return budget is not None and est.total <= budget * (1 - HEADROOM)


def _candidates(spec: JobSpec):
    """(changes so far, spec after them, what was changed), in the order a person would try them."""
    changes: dict = {}
    m, t = spec.method, spec.training
    current = spec
    if m.name in ("full", "freeze"):
        changes["method.name"] = "lora"
        current = _apply(current, changes)
        yield dict(changes), current, "lora"
    if current.method.name != "qlora" or current.method.quant_bits != 4:
        changes.update({"method.name": "qlora", "method.quant_bits": 4})
        current = _apply(current, changes)
        yield dict(changes), current, "qlora"
    effective = t.batch_size * t.gradient_accumulation_steps
    batch = t.batch_size
    while batch > 1:
        batch = max(1, batch // 2)
        changes.update({"training.batch_size": batch,
                        "training.gradient_accumulation_steps": math.ceil(effective / batch)})
        current = _apply(current, changes)
        yield dict(changes), current, "batch"
    length = t.max_length
    while length > MIN_LENGTH:
        length = max(MIN_LENGTH, length // 2)
        changes["training.max_length"] = length
        current = _apply(current, changes)
        yield dict(changes), current, "length"


def with_checkpointing(spec: JobSpec) -> JobSpec:
    return replace(spec, training=replace(spec.training, gradient_checkpointing="on"))


def _apply(spec: JobSpec, changes: dict) -> JobSpec:
    sections = {}
    for dotted, value in changes.items():
        section, name = dotted.split(".", 1)
        sections.setdefault(section, {})[name] = value
    out = spec
    for section, values in sections.items():
        out = replace(out, **{section: replace(getattr(out, section), **values)})
    return out


def recommend(spec: JobSpec, config: dict, hardware, lengths: list[int] | None = None,
              image_tokens: list[int] | None = None) -> Recommendation:
    """Keep the spec if its estimate fits the budget with HEADROOM to spare; else the first of:
    lora (for full/freeze), qlora 4-bit, a smaller batch with more accumulation (same effective
    batch), a shorter max_length, that fits; or say that nothing does. `lengths`: the rows' token counts
    where known (estimate_memory)."""
    data = dict(lengths=lengths, image_tokens=image_tokens)
    device = _device_for(spec, hardware)
    budget = hardware.budget_bytes(device)
    where = msg("plan.where_gpu") if device == "cuda" else msg("plan.where_ram")
    original = estimate_memory(spec, config, device, **data)
    if budget is None:
        return Recommendation("unknown", msg("plan.fit_unknown", need=format_bytes(original.total), where=where),
                              estimate=original, original=original, budget=None, device=device)
    usable = int(budget * (1 - HEADROOM))
    if fits(original, budget):
        return Recommendation("keep", msg("plan.fits", need=format_bytes(original.total), budget=format_bytes(budget),
                                          where=where),
                              estimate=original, original=original, budget=budget, device=device)
    need = format_bytes(original.total)
    if spec.training.gradient_checkpointing == "auto":
        checkpointed = estimate_memory(with_checkpointing(spec), config, device, **data)
        if fits(checkpointed, budget):
            return Recommendation("keep", msg("plan.fits_with_checkpointing", need=need, usable=format_bytes(usable),
                                              where=where, got=format_bytes(checkpointed.total)),
                                  estimate=checkpointed, original=original, budget=budget, device=device)
    last = spec
    for changes, candidate, step in _candidates(spec):
        last = candidate
        est = estimate_memory(candidate, config, device, **data)
        if not fits(est, budget) and candidate.training.gradient_checkpointing == "auto":
            est = estimate_memory(with_checkpointing(candidate), config, device, **data)  # what auto will do
        if not fits(est, budget):
            continue
        got = format_bytes(est.total)
        t = candidate.training
        if step == "lora":
            why = msg("plan.why_lora", method=spec.method.name, got=got)
        elif step == "qlora":
            why = msg("plan.why_qlora", got=got)
        elif step == "batch":
            why = msg("plan.why_batch", batch=t.batch_size, steps=t.gradient_accumulation_steps, got=got)
        else:
            why = msg("plan.why_length", length=t.max_length, got=got)
        return Recommendation("change", msg("plan.change", need=need, usable=format_bytes(usable), where=where,
                                            why=why),
                              changes=changes, estimate=est, original=original, budget=budget, device=device)
    smallest = estimate_memory(last, config, device, **data)
    return Recommendation("nothing_fits", msg("plan.nothing_fits", need=need, method=last.method.name,
                                              batch=last.training.batch_size, length=last.training.max_length,
                                              smallest=format_bytes(smallest.total), usable=format_bytes(usable),
                                              where=where),
                          estimate=original, original=original, budget=budget, device=device)
