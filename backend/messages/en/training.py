"""English messages: training (ids `training.*`): backend/training/ and its stages/."""

EN: dict[str, str] = {
    # backend/training/errors.py: explain() and its hints
    "training.fix_spec_hint": "Fix the named field in the spec and start again.",
    "training.fix_data_hint": "Fix the named file or row, or pick another dataset.",
    "training.out_of_memory": "The run ran out of memory.",
    "training.out_of_memory_hint": "Lower `training.batch_size` (raise `gradient_accumulation_steps` to keep the "
                                   "effective batch), lower `training.max_length`, or pick a smaller model.",
    "training.disk_full": "The disk is full.",
    "training.disk_full_hint": "Free space in the workspace, or delete old jobs.",
    "training.model_gated_hint": "Accept the model's licence on its hub page and log in with `hf auth login`.",
    "training.no_network": "The model or data could not be downloaded: {reason}",
    "training.model_hub_unreachable": "`model.name_or_path`: {name} is not in this machine's Hugging Face cache and "
                                      "the hub cannot be reached ({reason}). Connect to the internet and run again, "
                                      "or download it where there is a connection (`hf download {name}`) and give "
                                      "its folder.",
    "training.no_network_hint": "Check the network, or download it once and give its local folder.",
    "training.needs_remote_code": "`model.trust_remote_code`: the model at `model.name_or_path` comes with its own "
                                  "Python code (custom code), which runs only when `model.trust_remote_code` is true "
                                  "(off by default).",
    "training.needs_remote_code_hint": "Set `model.trust_remote_code: true` (the Model step's Trust remote code) only "
                                       "if you trust where the model comes from: its code runs on this machine. Or "
                                       "pick a model transformers supports without custom code.",
    "training.model_not_found_hint": "Check `model.name_or_path`: a local folder with config.json, or a hub id like "
                                     "`org/name`.",
    "training.unexpected": "{type}: {error}",
    "training.unexpected_hint": "The full traceback is in the job's log. If the log does not explain it, report it "
                                "with the log.",
    # backend/training/run.py
    "training.stage_cannot_train": "The stage `{stage}` cannot be trained: {why}",
    "training.stage_no_trainer": "it has no trainer in this studio.",
    "training.pick_another_stage_hint": "Pick another stage in the spec.",
    # backend/training/callback.py
    "training.nan_loss": "The loss became {loss} at step {step}.",
    "training.nan_loss_hint": "Lower `training.learning_rate` (e.g. by 10x), or check the data for broken rows.",
    # backend/training/accel.py: the speed plan (attention, fused kernels, compile)
    "training.compile_needs_gpu": "`training.compile`: on needs a GPU; this job runs on the CPU.",
    "training.compile_needs_gpu_hint": "Set `training.compile: off`.",
    "training.flash_attn_missing": "`training.attention`: flash_attention_2 needs the flash-attn package, which is "
                                   "not installed here.",
    "training.flash_attn_missing_hint": "Install it (`pip install flash-attn`, a build for your CUDA and torch), or "
                                        "set `training.attention: auto`.",
    "training.flash_attn_needs_gpu": "`training.attention`: flash_attention_2 needs a GPU; this job runs on the CPU.",
    "training.flash_attn_needs_gpu_hint": "Set `training.attention: auto`.",
    "training.note_no_varlen": "no variable-length FlashAttention on this GPU or torch: padding-free rows are kept "
                               "apart with a block-diagonal mask",
    "training.liger_needs_gpu": "need a GPU (they are Triton kernels) and this job runs on the CPU",
    "training.liger_not_installed": "need the liger-kernel package, which is not installed here",
    "training.fused_kernels_unusable": "`training.fused_kernels` is on, but Liger's kernels {problem}.",
    "training.fused_kernels_unusable_hint": "Install it with `pip install \"finetune-studio[gpu]\"` (liger-kernel) on "
                                            "a GPU machine, or set `training.fused_kernels: auto`.",
    "training.note_liger_not_installed": "Liger kernels not installed (pip install \"finetune-studio[gpu]\")",
    "training.liger_unknown_model": "`training.fused_kernels`: Liger Kernel has no kernels for this model type "
                                    "({model_type}).",
    "training.liger_unknown_model_hint": "Set `training.fused_kernels: auto` or off.",
    "training.note_liger_unknown_model": "Liger Kernel does not know model type {model_type}: its own layers are kept",
    # backend/training/varlen_attention.py
    "training.varlen_differs": "its output differs from SDPA's by {err:.3g} (relative)",
    # backend/training/lm_head.py
    "training.dense_head_no_softcap": "the dense LM head does not softcap; TRL's tiled head does",
    # backend/training/methods.py
    "training.freeze_modules_no_match": "`method.freeze_modules`: {modules} matches no parameter of this model (its "
                                        "names look like {sample}).",
    "training.freeze_modules_no_match_hint": "Give parts of parameter names such as `self_attn`, `mlp` or `lm_head`, "
                                             "or leave it empty to train the last `freeze_layers` layers.",
    "training.adalora_needs_total_steps": "adalora needs the run's total number of optimizer steps (total_steps > 0)",
    # backend/training/model.py
    "training.model_no_weights": "`model.name_or_path`: {path} has config.json but no weights (*.safetensors or "
                                 "*.bin); give the folder the whole model was saved or downloaded to.",
    "training.model_no_tokenizer": "`model.name_or_path`: {path} has no tokenizer (tokenizer.json, "
                                   "tokenizer_config.json or tokenizer.model); copy its base model's tokenizer files "
                                   "into it, or give the folder the whole model was saved to.",
    "training.model_no_config": "`model.name_or_path`: {path} has no config.json; give the folder that holds the "
                                "model's files.",
    "training.model_folder_missing": "`model.name_or_path`: the folder {path} does not exist.",
    "training.model_source_hint": "Give a local folder with config.json and the weights, or a hub id like `org/name`.",
    # backend/training/quantized.py
    "training.bnb_cannot_unpack": "this bitsandbytes repacked a 4-bit weight for its CPU kernel and cannot unpack it; "
                                  "update it (`pip install -U bitsandbytes`) and run again.",
    "training.bnb_missing_for_base": "this job trained its adapter on a {bits}-bit base (`method.name: qlora`); "
                                     "rebuilding that base needs bitsandbytes, which is not installed here. Run "
                                     "`pip install bitsandbytes` and try again.",
    # backend/training/stages/common.py
    "training.report_to_missing": "`training.report_to` asks for {name}, which is not installed here.",
    "training.report_to_missing_hint": "Install it (`pip install {package}`) and log in, or remove {name} from "
                                       "`training.report_to`.",
    "training.all_dropped": "all {given} {what} were dropped by the {stage} trainer: they do not fit in "
                            "max_length={max_length} tokens. Raise `training.max_length`, or shorten the rows.",
    # backend/training/stages/grpo.py
    "training.exact_match_no_reference": "the exact_match reward compares replies with a reference answer, and no "
                                         "prompt has one. Map a `reference` column (or use conversations: the last "
                                         "reply is the reference), or pick other rewards in `align.rewards`.",
    # backend/training/stages/pt.py
    "training.texts_no_tokens": "the texts hold no tokens to train on.",
}
