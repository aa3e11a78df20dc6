"""How rows become batches in sft (benchmarks/bench_train.py measures each way): the trainer's side of
backend/plan/batches.py, which decides, torch-free, what this side carries out.

    config = SFTConfig(**training_kwargs(...), **batching_kwargs(spec, max_length))
    trainer = sft_trainer_class()(model=..., args=config, ...)

group_by_length (the default): transformers' length-grouped order (megabatches of up to 50 batches
sorted by length, the `length` column saving it a pass over the rows), drawn from a generator seeded
by the data seed and the epoch, so that a resumed run, and every process of a multi-process run,
sees exactly the order of the run left alone (the global RNG is not restored at that point).
padding_free: TRL's collator joins a batch's rows into one row whose position ids restart at each
row; transformers turns those restarts into a block-diagonal mask (varlen kernels on FlashAttention),
so no row attends to another (tests/backend/training/test_batching.py checks logits and loss against the rows alone).
"""

from __future__ import annotations

import logging

from backend.plan.batches import rows_per_pass
from backend.spec import JobSpec

log = logging.getLogger("studio.worker")


def batching_kwargs(spec: JobSpec, max_length: int, padding_free: bool, group_by_length: bool) -> dict:
    """SFTConfig fields. The rows are already cut to max_length (tokenize_sft), which TRL wants unset
    when padding-free."""
    if group_by_length or padding_free:
        log.info("batches: %s", ", ".join(n for n, on in (("rows of similar length together", group_by_length),
                                                           ("padding-free", padding_free)) if on))
    from backend.training.compat import length_grouping_kwarg

    return {**length_grouping_kwarg(group_by_length),
            "length_column_name": "length", "padding_free": padding_free,
            "max_length": None if padding_free else max_length}


def split_batches(spec: JobSpec, kwargs: dict, max_length: int, device: str) -> dict:
    """Pass each batch through the model in equal parts of at most `training.tokens_per_pass` tokens
    (rows x max_length; 0 = CPU_TOKENS_PER_PASS on a CPU, the whole batch elsewhere): the per-device
    batch becomes the largest divisor of the batch that fits, and gradient accumulation makes up the
    rest, so every update sums the same rows' gradients (TRL divides by the tokens of the whole
    accumulated batch) in the same order (the samplers see batch x accumulation). The activations
    kept for the backward pass shrink with the part. Changes `kwargs` (training_kwargs) in place."""
    batch = kwargs["per_device_train_batch_size"]
    part = rows_per_pass(spec, batch, max_length, device)
    if part == batch:
        return kwargs
    kwargs["per_device_train_batch_size"] = kwargs["per_device_eval_batch_size"] = part
    kwargs["gradient_accumulation_steps"] *= batch // part
    log.info("each batch of %s rows goes through the model %s rows at a time (up to %s tokens per pass: the "
             "same update in less memory; training.tokens_per_pass)", batch, part, part * max_length)
    return kwargs


def seeded_length_sampler(batch_size: int, lengths: list[int], seed: int):
    from transformers.trainer_pt_utils import LengthGroupedSampler, get_length_grouped_indices

    class SeededLengthGroupedSampler(LengthGroupedSampler):
        epoch = 0

        def set_epoch(self, epoch: int) -> None:
            self.epoch = epoch

        def __iter__(self):
            import torch

            generator = torch.Generator().manual_seed(seed + self.epoch)
            return iter(get_length_grouped_indices(self.lengths, self.batch_size, generator=generator))

    return SeededLengthGroupedSampler(batch_size, lengths=lengths)


def seeded_random_sampler(n: int, seed: int):
    """Rows in a random order drawn from the data seed and the epoch (not the global RNG, which a resumed run
    restores too late): a resumed run, and every process of a multi-process run, sees the order of the run
    left alone, as with the length-grouped sampler."""
    import torch
    from torch.utils.data import Sampler

    class SeededRandomSampler(Sampler):
        epoch = 0

        def set_epoch(self, epoch: int) -> None:
            self.epoch = epoch

        def __len__(self) -> int:
            return n

        def __iter__(self):
            generator = torch.Generator().manual_seed(seed + self.epoch)
            return iter(torch.randperm(n, generator=generator).tolist())

    return SeededRandomSampler()


def sft_trainer_class():
    """TRL's SFTTrainer, with the seeded samplers above (length-grouped or random)."""
    from trl import SFTTrainer

    from backend.training.compat import groups_by_length

    class StudioSFTTrainer(SFTTrainer):
        def _get_train_sampler(self, train_dataset=None):
            # The dataloader hands over the rows without the columns the model does not take (`length`
            # among them); the rows and their order are those of self.train_dataset.
            dataset, args = self.train_dataset, self.args
            if ("length" not in getattr(dataset, "column_names", ())
                    or (train_dataset is not None and len(train_dataset) != len(dataset))):
                return super()._get_train_sampler(train_dataset)
            seed = args.data_seed if args.data_seed is not None else args.seed
            if not groups_by_length(args):
                return seeded_random_sampler(len(dataset), seed)
            return seeded_length_sampler(args.train_batch_size * args.gradient_accumulation_steps,
                                         list(dataset["length"]), seed)

    return StudioSFTTrainer
