"""The job spec's `training` section: how long, how fast, how batches are made, what is saved.

Part of backend.spec (which re-exports TrainingSpec and the choices below); its checks run in
JobSpec's validation with the other sections'.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.spec.checks import help_metadata as _help

SCHEDULERS = ("linear", "cosine", "constant", "constant_with_warmup")
PRECISIONS = ("auto", "fp32", "bf16", "fp16")
TRACKERS = ("tensorboard", "wandb", "swanlab")
ATTENTION_CHOICES = ("auto", "varlen", "flash_attention_2", "sdpa", "eager")
TRI_STATE = ("auto", "on", "off")


@dataclass
class TrainingSpec:
    num_epochs: float = field(
        default=3.0, metadata=_help("Passes over the training data: 1-3 usual for a real model and a few thousand rows; more for a "
                                    "tiny set (the demo uses 15). Too many overfit. Ignored when max_steps > 0.")
    )
    max_steps: int = field(
        default=0, metadata=_help("Stop after this many optimizer steps; 0 = use num_epochs.")
    )
    learning_rate: float = field(
        default=2e-4,
        metadata=_help("Step size. LoRA: 1e-4 to 3e-4 usual (tiny models more); full: 1e-5 to 5e-5."),
    )
    batch_size: int = field(default=4, metadata=_help(
        "Rows per step on each device: 1-8 usual on one GPU. When memory runs out, lower it and raise "
        "gradient accumulation to keep the effective batch."))
    gradient_accumulation_steps: int = field(
        default=1,
        metadata=_help("Steps to add up before one update: a larger effective batch in less memory (batch 4 x 8 = "
                       "32 rows per update; 16-64 is usual)."),
    )
    max_length: int = field(
        default=1024,
        metadata=_help("Longest sequence in tokens; longer rows are cut. 512-2048 usual. When memory runs out, lower "
                       "it, or pick QLoRA (a 4-bit base)."),
    )
    scheduler: str = field(
        default="cosine",
        metadata=_help("How the learning rate changes over the run.", choices=SCHEDULERS),
    )
    warmup_ratio: float = field(
        default=0.03,
        metadata=_help("Share of steps spent ramping the learning rate up from 0: 0.03-0.1 usual (0-0.5); longer "
                       "when the loss spikes early."),
    )
    weight_decay: float = field(default=0.0, metadata=_help("L2 penalty on weights; 0-0.1 usual."))
    max_grad_norm: float = field(
        default=1.0, metadata=_help("Clip gradients to this norm; keeps spikes in check. 1.0 usual; 0 = no clipping.")
    )
    seed: int = field(default=42, metadata=_help("Random seed: same seed, same run."))
    logging_steps: int = field(
        default=5, metadata=_help("Write a point to the loss curve every N steps.")
    )
    save_steps: int = field(
        default=0,
        metadata=_help("Save a checkpoint (for resume) every N steps; 0 = by time only, see save_minutes."),
    )
    save_minutes: float = field(
        default=5.0,
        metadata=_help("Also save a checkpoint every N minutes of training, so a crash loses little; 0 = off."),
    )
    eval_steps: int = field(
        default=0, metadata=_help("Evaluate every N steps when there is an eval set; 0 = at each logging point.")
    )
    early_stopping_patience: int = field(
        default=0,
        metadata=_help(
            "Stop training after this many evaluations in a row without the eval loss improving, before "
            "the model overfits further, and keep the weights of the best evaluation; needs an eval set. "
            "0 = off; usual 2-5."
        ),
    )
    early_stopping_min_delta: float = field(
        default=0.0,
        metadata=_help(
            "Early stopping: how much the eval loss must fall below its best to count as an improvement. "
            "0 = any fall counts; e.g. 0.01 ignores tiny, noisy gains."
        ),
    )
    precision: str = field(
        default="auto",
        metadata=_help("Number format: `auto` = bf16 on a GPU that has it (A100, H100, RTX 30xx and newer), fp16 on an "
                      "older GPU (T4, V100), fp32 on a CPU.", choices=PRECISIONS),
    )
    cpu_threads: int = field(
        default=0,
        metadata=_help(
            "Threads for training on a CPU; 0 = all cores but one, which keeps the page and browser "
            "responsive (a busy core slows multi-threaded training several-fold)."
        ),
    )
    memory_limit_gb: float = field(
        default=0.0,
        metadata=_help(
            "The most RAM the job may hold, in GB (its processes together); 0 = what the machine has left, keeping "
            "a reserve for the studio and the system. A job that reaches it is stopped as out_of_memory, with the "
            "figure, before the system's out-of-memory killer picks a process."
        ),
    )
    device: str = field(
        default="auto", metadata=_help("`auto`, `cpu` or `cuda`.", choices=("auto", "cpu", "cuda"))
    )
    group_by_length: str = field(
        default="auto",
        metadata=_help(
            "sft: put rows of similar length in the same batch, so little is spent on padding (about 1.5x "
            "faster on instruction data of mixed lengths; the curve gets a little noisier). auto = on when "
            "batches are padded, off with padding-free batches (nothing to save there, and a random order "
            "keeps the largest batch, and so the memory peak, small); on; off = rows in random order.",
            choices=("auto", "on", "off")),
    )
    padding_free: str = field(
        default="auto",
        metadata=_help(
            "sft: join each batch's rows into one sequence with no padding; each row still sees only "
            "itself (position ids restart per row; a variable-length attention kernel keeps them apart). "
            "auto = on on a GPU where such a kernel is available (FlashAttention, or PyTorch's own), off on "
            "a CPU (rows of similar length batched together do as well there); on; off. Not with "
            "prompt-based methods.", choices=("auto", "on", "off")),
    )
    gradient_checkpointing: str = field(
        default="auto",
        metadata=_help(
            "Recompute each layer's activations in the backward pass instead of keeping them: much less "
            "memory, about a third slower. auto = on only when the memory estimate says the job would not "
            "fit without it (the log says so); on; off.", choices=("auto", "on", "off")),
    )
    attention: str = field(
        default="auto",
        metadata=_help(
            "The attention kernel. auto = on a GPU, FlashAttention 2 where the flash-attn package is installed, "
            "else PyTorch's own FlashAttention kernels (variable-length for padding-free batches, SDPA "
            "otherwise); SDPA on a CPU. varlen: PyTorch's variable-length FlashAttention for padding-free "
            "batches (a GPU), SDPA for the rest; flash_attention_2 (needs `pip install flash-attn`); sdpa; "
            "eager (plain matrix products: slow, for checking).", choices=ATTENTION_CHOICES),
    )
    fused_kernels: str = field(
        default="auto",
        metadata=_help(
            "Liger Kernel's fused RMSNorm, SwiGLU and rotary embedding on a GPU: fewer, larger GPU kernels "
            "and less activation memory, the same results. auto = on on a GPU where `liger-kernel` is "
            "installed (`pip install finetune-studio[gpu]`) and knows the model; on (refused where it cannot "
            "run); off. The loss never builds the whole logits tensor either way (TRL's fused LM head).",
            choices=("auto", "on", "off")),
    )
    compile: str = field(
        default="off",
        metadata=_help(
            "torch.compile each decoder layer (a GPU): fused elementwise kernels, after a compile of a minute "
            "or so at the start; pays on long runs. off; on.", choices=("off", "on")),
    )
    dataloader_workers: int = field(
        default=-1,
        metadata=_help(
            "Processes that make the next batches while the current one trains (a GPU job whose data loading "
            "shows in the profile). -1 = automatic: 0 for now (2 were no faster on the GPU benchmark); 0 = in "
            "the training process."),
    )
    tokens_per_pass: int = field(
        default=0,
        metadata=_help(
            "sft, pt: the most tokens (rows x max_length) one forward pass takes. A larger batch goes "
            "through in equal parts whose gradients add up: the same update in less memory. 0 = 2048 on a "
            "CPU (as fast as the whole batch there, a third less memory) and the whole batch on a GPU; -1 = "
            "always the whole batch."
        ),
    )
    sample_prompts: int = field(
        default=2,
        metadata=_help(
            "sft: how many held-out prompts the model answers at each evaluation and checkpoint, to watch "
            "it change (samples.jsonl, shown in the Monitor); 0 = off. 2-4 usual."
        ),
    )
    report_to: list = field(
        default_factory=lambda: ["tensorboard"],
        metadata=_help(
            "Where the run's metrics also go: `tensorboard` (event files in the job's tensorboard/ folder; "
            "`studio tensorboard` shows every job), `wandb` (Weights & Biases) and `swanlab` (both need "
            "their package installed and a login). [] = only the studio's own files.",
            choices=TRACKERS,
        ),
    )
