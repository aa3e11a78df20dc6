"""How many parameters a method trains, from a model's config.json alone (no torch: the UI calls it).

    from backend.plan.param_count import estimate_trainable
    trainable, total = estimate_trainable(spec, json.load(open("model/config.json")))

The model is taken to be a Llama-style decoder (Llama, Qwen2/2.5/3, Mistral, Gemma...): per layer
q/k/v/o attention projections, a gate/up/down MLP and two norms; embeddings, a final norm and an
lm_head (or, for the rm stage, a one-output `score` head). For that family the counts equal
`backend.training.methods.trainable_counts` on the loaded model exactly (tests/backend/training/test_methods.py
checks every method on the demo model); for other architectures they are an estimate.

Counting follows PEFT's `get_nb_trainable_parameters`: a 4-bit weight counts its real element
count, a tied lm_head counts once (it is the embedding matrix), and the adapter's own weights add
to the total.
"""

from __future__ import annotations

from backend.spec import JobSpec, get_stage

# Names of the linear layers per decoder layer, and the part of the layer they live in.
ATTN = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP = ("gate_proj", "up_proj", "down_proj")
ALL_LINEAR = ATTN + MLP
# ia3 with target_modules `all-linear`: keys, values and the MLP's down projection (the IA3 paper's
# choice, and PEFT's default for Llama); down_proj is a feed-forward module, scaled on its input.
IA3_TARGETS = ("k_proj", "v_proj", "down_proj")
IA3_FEEDFORWARD = ("down_proj", "w2", "fc2", "dense_4h_to_h")
PTUNING_ENCODER_HIDDEN = 128
# Qwen2 has biases on q, k and v (hard-coded, not in config.json).
QKV_BIAS_MODELS = ("qwen2", "qwen2_moe", "qwen2_vl", "qwen2_5_vl", "qwen2_vl_text", "qwen2_5_vl_text")


def _dims(config: dict) -> dict:
    cfg = config
    if "hidden_size" not in cfg and isinstance(cfg.get("text_config"), dict):  # multimodal: its language model
        cfg = {**cfg["text_config"], "tie_word_embeddings": cfg.get("tie_word_embeddings", False)}
    h = int(cfg["hidden_size"])
    heads = int(cfg["num_attention_heads"])
    kv = int(cfg.get("num_key_value_heads") or heads)
    head_dim = int(cfg.get("head_dim") or h // heads)
    return dict(
        model_type=str(cfg.get("model_type", "")),
        h=h,
        inter=int(cfg["intermediate_size"]),
        layers=int(cfg["num_hidden_layers"]),
        heads=heads,
        kv=kv,
        head_dim=head_dim,
        vocab=int(cfg["vocab_size"]),
        tied=bool(cfg.get("tie_word_embeddings", False)),
        attention_bias=bool(cfg.get("attention_bias", False)),
        mlp_bias=bool(cfg.get("mlp_bias", False)),
    )


def linear_shapes(config: dict) -> dict[str, tuple[int, int]]:
    """(in_features, out_features) of each linear layer name inside one decoder layer."""
    d = _dims(config)
    h, q, kv, inter = d["h"], d["heads"] * d["head_dim"], d["kv"] * d["head_dim"], d["inter"]
    return {
        "q_proj": (h, q), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (q, h),
        "gate_proj": (h, inter), "up_proj": (h, inter), "down_proj": (inter, h),
    }


def parameter_table(config: dict, head: str = "lm_head") -> list[tuple[str, int]]:
    """(name, element count) of every parameter, as `named_parameters(remove_duplicate=False)` names
    them. A tied lm_head appears with count 0: it is the embedding matrix, counted once."""
    d = _dims(config)
    shapes = linear_shapes(config)
    qkv_bias = d["attention_bias"] or d["model_type"] in QKV_BIAS_MODELS
    rows = [("model.embed_tokens.weight", d["vocab"] * d["h"])]
    for i in range(d["layers"]):
        p = f"model.layers.{i}."
        for name in ATTN:
            fan_in, fan_out = shapes[name]
            rows.append((f"{p}self_attn.{name}.weight", fan_in * fan_out))
            if d["attention_bias"] or (qkv_bias and name != "o_proj"):
                rows.append((f"{p}self_attn.{name}.bias", fan_out))
        if d["model_type"].startswith("qwen3"):  # per-head RMSNorm of queries and keys
            rows += [(f"{p}self_attn.q_norm.weight", d["head_dim"]), (f"{p}self_attn.k_norm.weight", d["head_dim"])]
        for name in MLP:
            fan_in, fan_out = shapes[name]
            rows.append((f"{p}mlp.{name}.weight", fan_in * fan_out))
            if d["mlp_bias"]:
                rows.append((f"{p}mlp.{name}.bias", fan_out))
        rows += [(f"{p}input_layernorm.weight", d["h"]), (f"{p}post_attention_layernorm.weight", d["h"])]
    rows.append(("model.norm.weight", d["h"]))
    if head == "score":
        rows.append(("score.weight", d["h"]))  # a reward model's one-output head (no bias)
    else:
        rows.append(("lm_head.weight", 0 if d["tied"] else d["vocab"] * d["h"]))
    return rows


def _targets(spec: JobSpec, default: tuple[str, ...]) -> list[str]:
    value = spec.method.target_modules.strip()
    if value in ("all-linear", "all_linear", "all"):
        return list(default)
    # PEFT matches a plain name against the end of the module name: keep the decoder's own names.
    return [n for n in (m.strip().rsplit(".", 1)[-1] for m in value.split(",")) if n in ALL_LINEAR]


def freeze_trainable(spec: JobSpec, config: dict, rows: list[tuple[str, int]]) -> int:
    """Parameters the freeze method trains (see methods.apply_freeze for the rule)."""
    m, d = spec.method, _dims(config)
    wanted = [s.strip() for s in m.freeze_modules.split(",") if s.strip()]
    if wanted:
        chosen = {n for n, _ in rows if any(w in n for w in wanted)}
        if "lm_head.weight" in chosen and d["tied"]:
            chosen.add("model.embed_tokens.weight")  # the same matrix
    else:
        first = max(d["layers"] - m.freeze_layers, 0)
        chosen = {n for n, _ in rows
                  if n.startswith("model.layers.") and int(n.split(".")[2]) >= first}
    chosen |= {n for n, _ in rows if n.startswith("score.")}  # a reward head always trains
    return sum(c for n, c in rows if n in chosen)


def estimate_trainable(spec: JobSpec, config: dict) -> tuple[int, int]:
    """(trainable, total) parameters for spec's method on the model config.json describes; a vision-language
    model's vision tower and projector included (backend.plan.vision_memory: frozen unless the method trains them)."""
    trainable, total = language_trainable(spec, config)
    from backend.plan.vision_memory import vision_estimate

    vis = vision_estimate(spec, config, "cpu", rows=0)
    if vis is not None:
        trainable += vis.trainable
        total += vis.tower_params + vis.projector_params + vis.adapter_params
    return trainable, total


def language_trainable(spec: JobSpec, config: dict) -> tuple[int, int]:
    """(trainable, total) parameters of the decoder (a vision-language model's language model)."""
    m, d = spec.method, _dims(config)
    head = "score" if get_stage(spec.stage).score_head else "lm_head"
    rows = parameter_table(config, head)
    base = sum(c for _, c in rows)
    name = m.name
    if name == "full":
        return base, base
    if name == "freeze":
        return freeze_trainable(spec, config, rows), base

    shapes = linear_shapes(config)
    layers = d["layers"]
    added = 0  # adapter parameters that train
    extra = 0  # adapter parameters that do not
    if name in ("lora", "dora", "rslora", "qlora"):
        for t in _targets(spec, ALL_LINEAR):
            fan_in, fan_out = shapes[t]
            added += layers * m.lora_r * (fan_in + fan_out)
            if name == "dora":
                added += layers * fan_out  # magnitude vector, one per output feature
    elif name == "adalora":
        r = m.adalora_init_r
        for t in _targets(spec, ALL_LINEAR):
            fan_in, fan_out = shapes[t]
            # A (r x in), B (out x r), E (r x 1) train; `ranknum` (one number) does not.
            added += layers * (r * (fan_in + fan_out) + r)
            extra += layers
    elif name == "ia3":
        for t in _targets(spec, IA3_TARGETS):
            fan_in, fan_out = shapes[t]
            added += layers * (fan_in if t in IA3_FEEDFORWARD else fan_out)
    elif name == "prefix":
        # Without a projection PEFT learns the keys and values directly: one (2 * layers * kv_dim)
        # row per virtual token, kv_dim = num_key_value_heads * head_dim (grouped-query attention).
        added = m.num_virtual_tokens * 2 * layers * d["kv"] * d["head_dim"]
    elif name == "prompt":
        added = m.num_virtual_tokens * d["h"]
    elif name == "ptuning":
        h, e = d["h"], PTUNING_ENCODER_HIDDEN
        # Virtual-token embeddings, then the MLP h -> e -> e -> h (with biases).
        added = m.num_virtual_tokens * h + (h * e + e) + (e * e + e) + (e * h + h)
    else:
        raise ValueError(f"unknown method {name!r}")

    if head == "score" and name in ("lora", "dora", "rslora", "qlora", "adalora", "ia3"):
        # PEFT trains a copy of the classification head (modules_to_save) beside the frozen original.
        added += d["h"]
    return added, base + added + extra
