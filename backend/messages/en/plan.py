"""English messages: plan (ids `plan.*`)."""

EN: dict[str, str] = {
    # backend/plan/estimate.py: the memory estimate's notes
    "plan.config_lacks": "config.json lacks a usable {what}: cannot estimate the memory.",
    "plan.note_moe": "mixture of experts: counted as a dense model, so the estimate is low",
    "plan.note_vision": "images: {images} in the largest pass, {patches:,} patches through the vision tower; "
                        "{tokens:,} image tokens for an image at the processor's max_pixels",
    "plan.note_generation": "{stage}: generation and sampled replies are not counted",
    "plan.note_mixed_precision": "mixed precision: the trained weights in fp32, plus their bf16/fp16 copies in a step",
    "plan.note_largest_batch": "activations of the largest batch as the data makes it: {tokens:,} tokens",
    "plan.note_pairs": "{stage}: two sequences per row (activations and logits doubled)",
    "plan.note_checkpointing": "gradient checkpointing: each layer's activations are recomputed (about a third slower)",
    "plan.note_reference_copy": "{stage}: a frozen reference copy of the model",
    # backend/plan/estimate.py: the recommendation (`where`: the memory it is measured against)
    "plan.where_gpu": "the GPU's memory",
    "plan.where_ram": "the free RAM",
    "plan.fit_unknown": "The job needs about {need}, but {where} is unknown here, so whether it fits cannot be told.",
    "plan.fits": "The job needs about {need}, which fits {budget} of {where} with room to spare.",
    "plan.fits_with_checkpointing": "The job needs about {need} as it is, more than the {usable} usable of {where}, "
                                    "so the worker will turn gradient checkpointing on (auto), which brings it to "
                                    "{got} (about a third slower).",
    "plan.change": "The job needs about {need}, more than the {usable} usable of {where}, but {why}.",
    "plan.why_lora": "training LoRA adapters instead of every weight ({method}) brings it to {got}",
    "plan.why_qlora": "LoRA on a 4-bit base model (qlora) brings it to {got}",
    "plan.why_batch": "batch size {batch} with {steps} accumulation steps (same effective batch) brings it to {got}",
    "plan.why_length": "cutting rows to {length} tokens brings it to {got}",
    "plan.nothing_fits": "The job needs about {need}, and even {method} with batch size {batch} and {length}-token "
                         "rows needs {smallest}, more than the {usable} usable of {where}, so choose a smaller model "
                         "or a machine with more memory.",
    # backend/plan/distributed.py: a multi-process job that cannot start
    "plan.no_deepspeed": "`distributed.strategy` is {strategy}, but DeepSpeed is not installed here.",
    "plan.no_deepspeed_hint": "Install it (`pip install deepspeed`; DeepSpeed needs NVIDIA GPUs and the CUDA toolkit), "
                              "or pick ddp or fsdp.",
    "plan.sharded_without_gpu": "`distributed.strategy` is {strategy}, which needs GPUs, and this machine has none: "
                                "accelerate runs several processes on a CPU only as ddp (over gloo).",
    "plan.sharded_without_gpu_hint": "Pick `distributed.strategy: ddp`, or run the job on a machine with GPUs.",
    # backend/plan/presets.py
    "plan.no_preset": "no preset named {name}; choose one of: {known}.",
    "plan.preset_unreadable": "{path}: cannot be read as YAML: {error}",
    "plan.preset_not_a_mapping": "{path}: must be a mapping of spec sections and a `preset:` block.",
    "plan.preset_no_block": "{path}: has no `preset:` block with title, description and group.",
    "plan.preset_bad_title": "{path}: `preset.title` must be a mapping with at least `en`, got {value}.",
    "plan.preset_bad_description": "{path}: `preset.description` must be a mapping like {{en: ..., zh: ...}}.",
    "plan.preset_bad_group": "{path}: `preset.group` must be one of {choices}, got {value}.",
    "plan.preset_bad_size": "{path}: `preset.size` must be one of {choices}, got {value}.",
    "plan.preset_bad_spec": "{path}: not a valid spec: {error}",
    "plan.the_file": "the file",
    "plan.spec_not_yaml": "{source} is not valid YAML: {error}",
    "plan.spec_empty": "{source} is empty; a spec has sections like model:, data:, training:.",
    "plan.spec_not_a_mapping": "{source} must be a mapping of sections (model:, data:, ...), got {got}.",
    "plan.in_source": "{message} (in {source})",
    "plan.preset_name_built_in": "{name} is the name of a built-in preset; choose another name, e.g. `my-{stem}`.",
    "plan.preset_bad_name": "preset name {name} is not accepted: use 1-64 letters, digits, '-' or '_' (no spaces, "
                            "dots or slashes), e.g. `my-style-run`.",
}
