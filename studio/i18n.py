"""Every user-facing string, per language: English here, Chinese in studio/i18n_zh.py. Both tables
have the same keys (a test checks).

t = strings("zh")         # or strings(None): from $LANG, else English
gr.Button(t["btn.next"])
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Mapping

from studio.i18n_zh import ZH

EN = {
    "app.title": "Fine-tuning Studio",
    "app.subtitle": "Teach a language model new behaviour from your own examples, without writing code.",
    "lang.label": "Language",
    "lang.en": "English",
    "lang.zh": "中文",
    "tab.train": "Train",
    "tab.monitor": "Monitor",
    "tab.runs": "Runs",
    "tab.chat": "Chat",
    "step.model": "1 · Model",
    "step.data": "2 · Data",
    "step.method": "3 · Method",
    "step.training": "4 · Training",
    "step.review": "5 · Review",
    "btn.next": "Next →",
    "btn.back": "← Back",
    "btn.start": "Start training",
    "btn.refresh": "Refresh",
    "btn.cancel": "Cancel job",
    "btn.kill": "Stop now (kill)",
    "btn.resume": "Resume from last checkpoint",
    "btn.export": "Download adapter (.zip)",
    "btn.send": "Send",
    "btn.clear": "Clear chat",
    # model step
    "model.intro": "Pick the base model to fine-tune. The demo is a tiny model that trains on a CPU in about a minute.",
    "model.source": "Base model",
    "model.source.demo": "Built-in demo (tiny, CPU)",
    "model.source.local": "Local folder",
    "model.source.hub": "Hugging Face hub id",
    "model.path": "Folder or hub id",
    "model.path.placeholder": "/path/to/model  or  Qwen/Qwen2.5-0.5B-Instruct",
    "model.check": "Check model",
    "model.trust_remote_code": "Trust remote code",
    "model.trust_warning": "⚠ Trusting remote code runs Python files shipped with the model on this machine. Only tick it for models you trust.",
    "model.info": "**Architecture:** {arch}  \n**Parameters:** {params}  \n**Chat template:** {template}  \n**Where:** {where}",
    "model.where_demo": "demo (built on first use)",
    "model.template.yes": "found",
    "model.template.no": "not found (chatml will be used)",
    "model.template.unknown": "unknown",
    "model.error": "⚠ {message}",
    # data step
    "data.error": "⚠ {message}",
    "data.no_upload": "Upload a file, or choose the built-in demo.",
    "data.uploaded": "Uploaded to {path}",
    # method step
    "method.lora_r": "LoRA rank",
    "method.lora_alpha": "LoRA alpha",
    "method.lora_dropout": "LoRA dropout",
    "method.target_modules": "Target modules",
    # training step
    "training.intro": "How long and how fast to learn. The defaults are the demo's, chosen so it learns in a minute.",
    "training.num_epochs": "Epochs",
    "training.max_steps": "Max steps (0 = use epochs)",
    "training.learning_rate": "Learning rate",
    "training.batch_size": "Batch size",
    "training.gradient_accumulation_steps": "Gradient accumulation",
    "training.max_length": "Max length (tokens)",
    "training.scheduler": "Learning-rate schedule",
    "training.warmup_ratio": "Warm-up ratio",
    "training.seed": "Seed",
    "training.logging_steps": "Logging interval (steps)",
    "training.early_stopping_patience": "Early stopping: patience (0 = off)",
    "training.early_stopping_min_delta": "Early stopping: least improvement",
    "training.report_to": "Track the run with",
    "training.report_to.tensorboard": "TensorBoard (files in the job folder)",
    "training.report_to.wandb": "Weights & Biases",
    "training.report_to.swanlab": "SwanLab",
    "training.save_steps": "Checkpoint every N steps (0 = by time only)",
    "training.save_minutes": "Checkpoint every N minutes (0 = off)",
    "data.eval_split": "Evaluation split",
    "training.group_by_length": "Rows of similar length in one batch",
    "training.padding_free": "Padding-free batches",
    "training.gradient_checkpointing": "Gradient checkpointing",
    "training.gradient_checkpointing.auto": "auto (when memory needs it)",
    "training.gradient_checkpointing.on": "on",
    "training.gradient_checkpointing.off": "off",
    "training.group_by_length.auto": "auto (when batches are padded)",
    "training.group_by_length.on": "on",
    "training.group_by_length.off": "off (random order)",
    "training.padding_free.auto": "auto (on a GPU)",
    "training.padding_free.on": "on",
    "training.padding_free.off": "off",
    "training.attention": "Attention kernel",
    "training.attention.auto": "auto (fastest available)",
    "training.attention.varlen": "PyTorch FlashAttention (variable-length)",
    "training.attention.flash_attention_2": "FlashAttention 2 (flash-attn package)",
    "training.attention.sdpa": "SDPA",
    "training.attention.eager": "eager (slow, for checking)",
    "training.fused_kernels": "Fused kernels (Liger)",
    "training.fused_kernels.auto": "auto (on a GPU when installed)",
    "training.fused_kernels.on": "on",
    "training.fused_kernels.off": "off",
    "training.compile": "torch.compile",
    "training.compile.off": "off",
    "training.compile.on": "on (compiles for a minute first)",
    "distributed.num_processes": "Processes (GPUs) per machine",
    "distributed.strategy": "Strategy for several processes",
    # review step
    "review.intro": "Check the job before it starts. The YAML below is the whole job: copy it to run `studio train job.yaml` elsewhere.",
    "review.yaml": "Job spec (YAML)",
    "review.estimate": "**Estimated steps:** {steps} · **Training rows:** {rows}",
    "review.estimate_unknown": "**Estimated steps:** unknown until the data can be read.",
    "review.plan": "**What will happen:** {steps} training steps: {epochs} epoch(s) over {rows} training rows ({eval} held out for evaluation), {per_step} rows per step (batch {batch} × accumulation {accum}).",
    "review.plan_steps": "**What will happen:** {steps} training steps (the max steps you set), {per_step} rows per step (batch {batch} × accumulation {accum}), from {rows} training rows ({eval} held out for evaluation).",
    "review.plan_no_eval": "**What will happen:** {steps} training steps: {epochs} epoch(s) over {rows} training rows, {per_step} rows per step (batch {batch} × accumulation {accum}); no rows held out for evaluation.",
    "review.plan_steps_no_eval": "**What will happen:** {steps} training steps (the max steps you set), {per_step} rows per step (batch {batch} × accumulation {accum}), from {rows} training rows; no rows held out for evaluation.",
    "review.processes": "**Processes:** {n} ({strategy}, on {machines} machine(s)); every step trains on batch {batch} × accumulation {accum} × {n} processes = {per_step} rows.",
    "review.tokens": "**Tokens:** about {tokens} pass through training (on average {avg} per row, cut at max length {max_length}).",
    "review.time": "**Time:** about {time} ({pace} s per step, measured {source}; {startup} s to start).",
    "review.time.probe": "by the speed test",
    "review.time.job": "on job {job} with the same setup",
    "review.time_unknown": "**Time:** not measured yet. Press *Measure speed* to train a few real steps on this machine and time them.",
    "review.measure": "Measure speed",
    "review.measuring": "⏳ Measuring: loading the model and training a few steps…",
    "review.measure_failed": "Speed not measured: {message}",
    "speed.timeout": "the speed measurement took over {seconds} s and was stopped.",
    "speed.failed": "the speed measurement failed (exit code {code}): {tail}",
    "duration.s": "{s} s",
    "duration.m": "{m} min {s:02d} s",
    "duration.h": "{h} h {m:02d} min",
    "review.ok": "✓ The job is ready to start.",
    "review.stage_data": "stage {stage} cannot learn from this data ({kind}); it needs {needs}. Pick a matching dataset in step 2 or another stage in step 3.",
    "review.params": "**Trainable parameters:** {trainable} of {total} ({share}%)",
    "review.params_unknown": "**Trainable parameters:** unknown until the model's config.json can be read.",
    "review.memory": "**Peak memory (estimate):** {total} on the {device}; available: {budget}",
    "review.device.cuda": "GPU",
    "review.device.cpu": "CPU (RAM)",
    "review.memory_unknown": "**Peak memory:** no estimate for this model ({reason}).",
    "review.recommend": "This may not fit. {reason}",
    "review.problems": "Fix these before starting:",
    "review.started": "Started job {job}.",
    "review.refused": "The job was not started; fix the problems listed on the Review step.",
    # monitor
    "monitor.job": "Job",
    "monitor.no_jobs": "No jobs yet. Start one from the Train tab.",
    "monitor.no_job": "No job selected.",
    "monitor.progress": "{done} / {total} steps",
    "monitor.loading": "starting: {phase}…",
    "monitor.queued": "waiting in the queue…",
    "monitor.stats": "**Elapsed:** {elapsed} · **ETA:** {eta} · **Loss:** {loss} · **Learning rate:** {lr} · **Tokens/s:** {tps}",
    "monitor.points": "{n} points",
    "monitor.stale": "⚠ No heartbeat from the worker for {seconds} s: it may be stuck or frozen. Cancel it (a second click kills it), then Resume to continue from its last checkpoint.",
    "monitor.plot": "Loss",
    "monitor.log": "Log (last lines)",
    "monitor.error": "**{kind}:** {message}",
    "phase.loading": "loading",
    "phase.training": "training",
    "phase.saving": "saving",
    "error.kind.bad_spec": "Invalid job spec",
    "error.kind.dataset": "Data problem",
    "error.kind.out_of_memory": "Out of memory",
    "error.kind.disk_full": "Disk full",
    "error.kind.model_gated": "Model needs access",
    "error.kind.no_network": "No network",
    "error.kind.model_not_found": "Model not found",
    "error.kind.unexpected": "Unexpected error",
    "error.kind.interrupted": "Interrupted",
    "error.kind.probe": "Speed test",
    "error.kind.distributed": "A process of the job failed",
    "error.kind.environment": "Library version mismatch",
    "monitor.samples": "Sample replies during training (held-out prompts)",
    "monitor.samples.step": "Step {step}:",
    "monitor.perplexity": "**Eval perplexity:** {ppl}",
    "monitor.hint": "**What to try:** {hint}",
    "monitor.cancel_sent": "Cancel requested for job {job} (state: {state}).",
    "monitor.stop_requested": "Stopping job {job}: it saves a checkpoint, then ends as cancelled. Click “Stop now (kill)” to end it at once.",
    "monitor.kill_sent": "Killing job {job} now; steps since its last checkpoint are lost.",
    "monitor.resumed": "Job {job} is queued again; it continues from its last checkpoint and its loss curve goes on.",
    "monitor.export_failed": "Export failed: {message}",
    "monitor.meta": "model `{model}` · data `{dataset}` · method `{method}` · created {created}",
    "series.train": "train",
    "series.eval": "eval",
    # runs
    "runs.intro": "Every job in this workspace, newest first. Click a row to pick a job, then open, clone or delete it.",
    "runs.columns": "id|state|method|dataset|final loss|created",
    "runs.filter": "Show states",
    "runs.selected": "Selected job",
    "runs.open": "Open in Monitor",
    "runs.clone": "Clone into the wizard",
    "runs.delete": "Delete…",
    "runs.confirm_delete": "Really delete {job}?",
    "runs.keep": "Keep it",
    "runs.deleted": "Deleted job {job} and its files.",
    "runs.pick_first": "Pick a job first: click its row in the table.",
    "runs.no_such_job": "Job {job} no longer exists.",
    "runs.cloned": "Loaded the settings of job {job} into the wizard; change what you like and start it.",
    "runs.refused": "⚠ {message}",
    "compare.title": "Compare runs",
    "compare.jobs": "Jobs to compare (training loss)",
    "compare.plot": "Training loss by job",
    "compare.empty": "Pick two or more jobs that have logged a loss.",
    "compare.points": "{jobs} jobs · {n} points",
    "queue.title": "Queue",
    "queue.heading": "### Queue",
    "compare.heading": "### Compare runs",
    "method.quant_bits.4": "4-bit NF4",
    "method.quant_bits.8": "8-bit",
    "data.hub.placeholder": "org/dataset",
    "queue.intro": "Queued jobs in the order they will run.",
    "queue.columns": "#|id|model|dataset|created",
    "queue.job": "Queued job",
    "queue.up": "↑ Earlier",
    "queue.down": "↓ Later",
    "queue.cancel": "Cancel",
    "queue.empty": "No jobs are waiting.",
    "queue.cancelled": "Job {job} cancelled.",
    # chat
    "chat.intro": "Talk to a fine-tuned model. Pick a succeeded job; the model loads in its own process.",
    "chat.job": "Fine-tuned job",
    "chat.no_jobs": "No succeeded job yet: train one first.",
    "chat.input": "Message",
    "chat.input.placeholder": "who are you?",
    "chat.temperature": "Temperature (0 = always the most likely word)",
    "chat.max_new_tokens": "Max new tokens",
    "chat.settings": "Generation settings",
    "chat.loading": "Loading the model of job {job}…",
    "chat.ready": "Model of job {job} loaded.",
    "chat.error": "⚠ Chat failed: {message}",
    "chat.system": "System prompt",
    "chat.system.placeholder": "(optional) e.g. You are a helpful assistant.",
    "chat.compare": "Side by side with the base model",
    "chat.compare.info": "The same conversation answered by the base model (the adapter switched off), to see what the fine-tune changed.",
    "chat.base": "Base model",
    "chat.tuned": "Fine-tuned model",
    "chat.top_p": "Top-p (only with temperature above 0)",
    "chat.memory": "Its process holds {mem}; switching to another job frees it.",
    "export.title": "Export and evaluate",
    "export.intro": "Each runs in a process of its own; the files go to the job's exports/ folder (or eval/).",
    "export.dtype": "Merged weights",
    "export.merged": "Merge the adapter into the model (safetensors)",
    "export.quant": "GGUF weights",
    "export.gguf": "Export GGUF (llama.cpp, Ollama)",
    "export.repo": "Hub repository",
    "export.private": "Private",
    "export.token": "Hub token (write)",
    "export.push": "Push to the Hub",
    "export.running": "⏳ Running in its own process…",
    "export.done": "✓ Written to `{path}`",
    "export.pushed": "✓ Pushed: {path}",
    "export.timeout": "the export took over {minutes} minutes and was stopped.",
    "eval.rows": "Eval prompts",
    "eval.run": "Evaluate: base vs fine-tuned",
    "eval.running": "⏳ Both models answer the eval prompts…",
    "eval.source": "**{rows}** prompts from the {source}",
    "eval.exact": "exact match",
    "eval.base": "base model",
    "eval.tuned": "fine-tuned",
    "eval.col.prompt": "prompt",
    "eval.col.reference": "reference",
    "export.repo.placeholder": "your-name/my-model",
    "eval.from_eval": "eval split",
    "eval.from_train": "first training rows (the job has no eval split)",
    "chat.weights": "Weights",
    "chat.weights.final": "final (the job's result)",
    "chat.weights.base": "base model only",
    "chat.weights.checkpoint": "checkpoint at step {step}",
    "chat.pick_job": "Pick a succeeded job first.",
    # errors
    "error.unexpected": "Something went wrong: {message}",
    # the UI's unexpected-error path (studio/unexpected.py): what failed, then what to do
    "error.failed": "{action} failed unexpectedly ({message}). The studio is still running: check what you entered and try again; if it fails again, the log of the terminal that started the studio has the details.",
    "action.review": "Checking the job",
    "action.measure": "Measuring the speed",
    "action.start": "Starting the job",
    "action.load": "Opening the page",
    "action.open_run": "Opening the run",
    "action.clone": "Cloning the run",
    "action.model": "Reading the model",
    "action.data": "Reading the data",
    "action.preview": "Showing the row",
    "action.presets": "Listing the presets",
    "action.preset": "Applying the preset",
    "action.spec_file": "Loading the spec file",
    "action.save_preset": "Saving the preset",
    "action.monitor": "Updating the monitor",
    "action.cancel": "Cancelling the job",
    "action.resume": "Resuming the job",
    "action.compare": "Comparing the runs",
    "action.chat": "Answering in the chat",
    "action.chat_model": "Switching the chat model",
    "action.runs": "Listing the runs",
    "action.delete": "Deleting the job",
    "action.export": "Exporting",
    "action.evaluate": "Evaluating",
    "action.queue": "Updating the queue",
    "action.move": "Moving the job in the queue",
    "data.intro": "Examples to learn from: the built-in identity set, a file you upload or have on this machine (json, jsonl, csv, tsv, parquet, arrow, txt, or a folder of them), a Hugging Face hub dataset, or an entry of a LLaMA-Factory dataset_info.json. The format is detected and the reason shown; every skipped row is listed.",
    "data.source": "Dataset",
    "data.source.demo": "Built-in demo (self-cognition, 91 rows)",
    "data.source.upload": "Upload",
    "data.source.path": "Path on this machine",
    "data.source.hub": "Hugging Face hub",
    "data.source.registry": "dataset_info.json",
    "data.upload": "Upload a file, or several (one dataset); up to {mb} MB each",
    "data.path": "File or folder",
    "data.path.placeholder": "/data/my_set.jsonl",
    "data.read": "Read",
    "data.hub": "Hub dataset id",
    "data.subset": "Subset",
    "data.split": "Split",
    "data.registry": "Folder with dataset_info.json",
    "data.registry.load": "Load entries",
    "data.registry.entry": "Entry",
    "data.registry.empty": "No entry of that dataset_info.json has its file beside it.",
    "data.format": "Row format",
    "data.placeholders": "Placeholders in the data: the values that replace {{key}}",
    "data.loading": "Reading the data…",
    "data.summary": "**{read}** rows read · **{valid}** valid · **{skipped}** skipped  \n**Format:** {fmt} — {reason}  \n**Source:** {file}",
    "data.traits": "**Contains:** {traits}",
    "data.trait.tools": "tool calls",
    "data.trait.reasoning": "reasoning",
    "data.trait.system": "system prompts",
    "data.trait.multi-turn": "multi-turn conversations",
    "data.kind": "**Kind:** {kind} — {what}",
    "data.duplicates": "**Duplicates dropped:** {n}",
    "data.scanning": "⏳ Scanning… {rows} rows so far ({s} s)",
    "data.none_valid": "⚠ No row can be used: see the reasons below, pick the format or map the columns.",
    "data.unsure": "Pick the format above, or tell which column is which below.",
    "data.mapping": "Columns: which column is which",
    "data.mapping.intro": "Detected automatically when the columns tell; change a choice if it is wrong, or pick the columns when they do not.",
    "data.mapping.reset": "Back to detected",
    "data.role.prompt": "Prompt / instruction",
    "data.role.query": "Input (added to the prompt)",
    "data.role.response": "Reply",
    "data.role.history": "History",
    "data.role.system": "System prompt",
    "data.role.messages": "Conversation (turns)",
    "data.role.tools": "Tools",
    "data.role.chosen": "Chosen reply",
    "data.role.rejected": "Rejected reply",
    "data.role.kto_tag": "Label (good / bad)",
    "data.role.text": "Text",
    "data.role.reasoning": "Reasoning",
    "data.role.reference": "Reference answer",
    "data.skipped": "Skipped rows (row: reason)",
    "data.preview": "**One row as the model sees it:** the chat template's text; highlighted tokens are trained, grey ones are context only.",
    "data.row": "Row",
    "data.next_skipped": "Next skipped row",
    "data.no_more_skipped": "No skipped row after this one.",
    "data.more_errors": "... {n} more (`studio data inspect --json` lists them all)",
    "data.row_skipped": "Row {row} is skipped: {reason}",
    "data.legend": "<mark style='background:#c7f0d2'>trained</mark> · <span style='color:#888'>context (masked)</span> · <del>past max length (cut)</del>",
    "data.panel_stats": "{tokens} tokens, {trained} trained, {cut} cut",
    "data.no_tokenizer": "The token view needs the model's tokenizer; here is the row as read.",
    "data.demo_building": "The demo model is still being built; the token view appears in a moment (change a row to refresh).",
    "data.no_model": "Choose a model in step 1 for the token view.",
    "data.hub_tokenizer": "Cannot fetch the model's tokenizer from the hub ({reason}).",
    "data.tokenizer_error": "Cannot load the model's tokenizer: {message}",
    "data.hist": "Token lengths",
    "data.hist_title": "{share} of rows are longer than max length {max_length} and will be cut (from {n} sampled of {total})",
    "data.hist_x": "tokens per row",
    "data.hist_y": "rows",
    "data.more": "Mix, split and clean",
    "data.mix_with": "Also mix in",
    "data.mix_with.info": "More datasets for the same job, comma-separated: paths, hub ids or dataset_info.json entries.",
    "data.mix": "How much of each",
    "data.eval": "Evaluation data",
    "data.seed": "Shuffle seed",
    "data.dedupe": "Drop duplicates",
    "data.reasoning": "Reasoning in replies",
    "data.reasoning.keep": "keep",
    "data.reasoning.drop": "drop",
    "data.need.upload": "Upload a file (or several).",
    "data.template": "Chat template",
    "data.template.auto": "the tokenizer's own (else chatml)",
    "data.template.in_use": "Chat template in use: {name}",
    "data.template.own": "the tokenizer's own",
    "data.template.none": "chatml (the tokenizer has none)",
    "data.need.path": "Type the path of a file or folder on this machine and press Read.",
    "data.need.hub": "Type a hub dataset id such as `tatsu-lab/alpaca` and press Read.",
    "data.need.registry": "Give the folder that holds dataset_info.json, press Load entries and pick one.",
    "method.intro": "What to train and how: the stage (what the data teaches) and the method (which weights change). Only the settings that matter for your choice are shown.",
    "method.stage": "Stage",
    "method.name": "Method",
    "stage.pt": "pt · continued pretraining",
    "stage.pt.info": "more plain text of a domain: every token is learned.",
    "stage.pt.data": "plain text (format text)",
    "stage.sft": "sft · instructions and chats",
    "stage.sft.info": "learn to answer like the examples; only the replies are trained.",
    "stage.sft.data": "conversations (alpaca, sharegpt, messages)",
    "stage.rm": "rm · reward model",
    "stage.rm.info": "learn to score replies from preference pairs (a scoring model for RL).",
    "stage.rm.data": "preference pairs (chosen / rejected)",
    "stage.dpo": "dpo · preference pairs",
    "stage.dpo.info": "prefer the chosen reply over the rejected one, with no reward model.",
    "stage.dpo.data": "preference pairs (chosen / rejected)",
    "stage.orpo": "orpo · preference + sft at once",
    "stage.orpo.info": "sft on the chosen reply plus an odds-ratio penalty on the rejected one; no reference model.",
    "stage.orpo.data": "preference pairs (chosen / rejected)",
    "stage.kto": "kto · good/bad labels",
    "stage.kto.info": "learn from single replies labelled desirable or not; no pairs needed.",
    "stage.kto.data": "labelled replies (kto), or preference pairs",
    "stage.grpo": "grpo · reinforcement learning",
    "stage.grpo.info": "sample several replies per prompt, score them with the rewards below, favour the better ones.",
    "stage.grpo.data": "prompts with reference answers (prompt), or conversations",
    "stage.ppo": "ppo · (not in TRL 1.16)",
    "stage.ppo.info": "the classic RLHF loop; TRL has removed it.",
    "stage.ppo.data": "—",
    "method.full": "full",
    "method.full.info": "every weight trains: the most capacity and the most memory; use a low learning rate (1e-5 to 5e-5).",
    "method.freeze": "freeze",
    "method.freeze.info": "only the last layers (or chosen modules) train; the rest stay as they are.",
    "method.lora": "LoRA",
    "method.lora.info": "small adapter matrices beside frozen weights: fast, light, a small file (learning rate 1e-4 to 3e-4).",
    "method.dora": "DoRA",
    "method.dora.info": "LoRA that also learns each weight's magnitude: often a little better at the same rank.",
    "method.rslora": "rsLoRA",
    "method.rslora.info": "LoRA scaled by alpha/√r: steadier at high ranks.",
    "method.qlora": "QLoRA",
    "method.qlora.info": "LoRA on a base loaded in 4-bit (or 8-bit): the least memory, a little slower.",
    "method.adalora": "AdaLoRA",
    "method.adalora.info": "LoRA whose rank adapts: important layers keep more, the rest are pruned.",
    "method.ia3": "IA³",
    "method.ia3.info": "learned scaling vectors on attention and MLP: the fewest parameters of all.",
    "method.prefix": "prefix tuning",
    "method.prefix.info": "learned key/value prefixes in every layer; the model itself is untouched.",
    "method.prompt": "prompt tuning",
    "method.prompt.info": "learned virtual tokens before the input (soft prompt); very few parameters.",
    "method.ptuning": "P-tuning",
    "method.ptuning.info": "virtual tokens produced by a small trained encoder.",
    "method.quant_bits": "Base weights",
    "method.double_quant": "Double quantization",
    "method.adalora_init_r": "Initial rank",
    "method.adalora_target_r": "Target rank",
    "method.freeze_layers": "Layers to train",
    "method.freeze_modules": "Or only these modules",
    "method.num_virtual_tokens": "Virtual tokens",
    "method.lr_set": "Learning rate set to {lr}, usual for {method}; change it in Training if you like.",
    "method.data_needed": "Data this stage needs: {kind}.",
    "align.beta": "Beta",
    "align.dpo_loss": "DPO loss",
    "align.kto_desirable_weight": "Desirable weight",
    "align.kto_undesirable_weight": "Undesirable weight",
    "align.num_generations": "Replies per prompt",
    "align.max_completion_length": "Longest reply (tokens)",
    "align.temperature": "Temperature",
    "align.grpo_loss": "Loss",
    "align.importance_sampling": "Importance sampling",
    "align.sampling.token": "per token (GRPO/DAPO)",
    "align.sampling.sequence": "per reply (GSPO)",
    "align.rewards": "**Rewards** (weight 0 = off): what makes a reply better.",
    "reward.exact_match": "Exact match",
    "reward.exact_match.info": "1 when the reply's final answer equals the reference column.",
    "reward.format": "Format",
    "reward.format.info": "1 when the reply is <think>…</think> followed by an answer.",
    "reward.length": "Length",
    "reward.length.info": "higher the closer the reply is to the target length.",
    "reward.valid_json": "Valid JSON",
    "reward.valid_json.info": "1 when the reply parses as JSON.",
    "align.length_target": "Target length (tokens)",
}


def _add_field_help() -> None:
    """`help.<field>` for every spec field: the English is the spec's own help text (written
    once, in backend/spec.py), the Chinese comes from studio/help_zh.py."""
    import dataclasses

    from backend.spec import SECTIONS, field_help
    from studio.help_zh import HELP_ZH

    names = ["stage"] + [f"{sec}.{f.name}" for sec, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
    for dotted in names:
        EN[f"help.{dotted}"] = field_help(dotted)
        ZH[f"help.{dotted}"] = HELP_ZH.get(dotted, "")


_add_field_help()


def _add_tables() -> None:
    """The strings of parts kept in their own files (advice, presets, hardware and system view)."""
    import importlib

    for name in ("studio.i18n_advice", "studio.i18n_presets", "studio.i18n_monitor"):
        module = importlib.import_module(name)
        EN.update(module.EN)
        ZH.update(module.ZH)


_add_tables()
for _table in (EN, ZH):
    _table["app.header"] = f"# {_table['app.title']}\n{_table['app.subtitle']}"
LANGUAGES = {"en": EN, "zh": ZH}
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


def pick_language(lang: str | None) -> str:
    if lang in LANGUAGES:
        return lang
    env = os.environ.get("LC_ALL") or os.environ.get("LANG") or ""
    return "zh" if env.lower().startswith("zh") else "en"


def strings(lang: str | None) -> dict[str, str]:
    return LANGUAGES[pick_language(lang)]


def translate_value(value, lang: str):
    """A format argument in `lang`: a backend message (an exception or an English sentence) is
    translated; numbers, paths and names match no message and come back as they were."""
    if lang == "en" or not isinstance(value, (str, BaseException)):
        return value
    from studio.backend_text import translate

    return translate(str(value), lang)


class Localized(str):
    """A string from the tables that remembers its key (and format arguments), so a page built in
    one language can be relabelled in another (studio.relabel), and whose `.format()` also puts its
    arguments into the same language: `t["data.error"].format(message=e)` shows a backend error in
    Chinese on a Chinese page."""

    def __new__(cls, text: str, lang: str, key: str | None = None, kwargs: dict | None = None):
        obj = super().__new__(cls, text)
        obj.lang, obj.key, obj.kwargs = lang, key, kwargs
        return obj

    # Immutable like any str: gradio deep-copies component configs for every page view.
    def __copy__(self) -> Localized:
        return self

    def __deepcopy__(self, memo) -> Localized:
        return self

    def __reduce__(self):
        return Localized, (str(self), self.lang, self.key, self.kwargs)

    def format(self, *args, **kwargs) -> Localized:
        shown = [translate_value(a, self.lang) for a in args]
        shown_kw = {k: translate_value(v, self.lang) for k, v in kwargs.items()}
        return Localized(str.format(self, *shown, **shown_kw), self.lang, self.key if not args else None, kwargs)


def localized(key: str, lang: str, kwargs: dict | None = None) -> str:
    """The text of `key` in `lang`, formatted with `kwargs` (translated) when given."""
    text = Localized(LANGUAGES[lang][key], lang, key)
    return text.format(**kwargs) if kwargs is not None else text


class SessionStrings(Mapping):
    """`t[key]` in the language of the page being served: each browser session picks its own (the
    language switch), others keep theirs; outside a request (building the page, tests) the default.

    The session is gradio's, read from the request it sets for the handler's thread, so every
    handler written as `t = ctx.t; t["..."]` speaks the page's language without passing it around.
    """

    MAX_SESSIONS = 10_000

    def __init__(self, default: str | None = None):
        self.default = pick_language(default)
        self._sessions: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _session() -> str | None:
        from gradio.context import LocalContext

        request = LocalContext.request.get(None)
        return getattr(request, "session_hash", None)

    @property
    def lang(self) -> str:
        session = self._session()
        if session is None:
            return self.default
        with self._lock:
            return self._sessions.get(session, self.default)

    def set_lang(self, session: str | None, lang: str) -> str:
        lang = pick_language(lang)
        if session:
            with self._lock:
                self._sessions[session] = lang
                self._sessions.move_to_end(session)
                while len(self._sessions) > self.MAX_SESSIONS:
                    self._sessions.popitem(last=False)
        return lang

    @property
    def table(self) -> dict[str, str]:
        return LANGUAGES[self.lang]

    def __getitem__(self, key: str) -> Localized:
        lang = self.lang
        return Localized(LANGUAGES[lang][key], lang, key)

    def __iter__(self):
        return iter(EN)

    def __len__(self) -> int:
        return len(EN)

    def msg(self, text) -> str:
        """A backend message (English) in the page's language."""
        return translate_value(str(text), self.lang)


def msg(t, text) -> str:
    """A backend message (English; an exception or a string) in the language of the table `t`."""
    return translate_value(str(text), lang_of(t))


def lang_of(t) -> str:
    """The language of a string table: a SessionStrings, or one of the plain tables."""
    if isinstance(t, SessionStrings):
        return t.lang
    return "zh" if t is ZH else "en"
