"""How rows become batches: length-grouped (the default) and padding-free, on the real trainer.

Padding-free joins a batch's rows into one row; the point to prove is that no row sees another:
each joined row's logits and loss equal those of the row alone.
"""

from __future__ import annotations

import math

import pytest
import torch

from backend.data.load import load_data
from backend.spec import JobSpec, SpecError
from backend.store import JobStore
from backend.training.callback import JobReporter
from backend.training.run import build_run

TRAINING = {"batch_size": 8, "max_length": 128, "logging_steps": 1, "learning_rate": 5e-3, "save_minutes": 0,
            "warmup_ratio": 0.0, "device": "cpu", "sample_prompts": 0, "report_to": []}


def build(stage_ws, lora_dropout=0.05, **training):
    spec = JobSpec.from_dict({"data": {"train": "demo"}, "method": {"name": "lora", "lora_r": 8, "lora_dropout": lora_dropout},
                              "training": {**TRAINING, **training}})
    store = JobStore(stage_ws)
    job_dir = store.job_dir(store.create_job(spec, state="running"))
    return build_run(spec, job_dir, stage_ws, JobReporter(job_dir), data=load_data(spec.data, stage_ws.root))


def batches(trainer) -> list[dict]:
    return list(trainer.get_train_dataloader())


def test_grouped_batches_waste_less_padding_and_cover_every_row_once(stage_ws):
    # transformers sorts megabatches of min(rows // (4 x batch), 50) batches: 5 batches here.
    grouped = build(stage_ws, num_epochs=1, batch_size=4).trainer
    plain = build(stage_ws, num_epochs=1, batch_size=4, group_by_length=False).trainer
    assert type(grouped._get_train_sampler()).__name__ == "SeededLengthGroupedSampler"
    assert type(plain._get_train_sampler()).__name__ == "SeededRandomSampler"

    def padding_share(bs):
        real = sum(int(b["attention_mask"].sum()) for b in bs)
        return 1 - real / sum(b["attention_mask"].numel() for b in bs)

    g, p = batches(grouped), batches(plain)
    # Every row once per epoch, whatever the order.
    def rows(bs):
        return sorted(tuple(r[m.bool()].tolist()) for b in bs for r, m in zip(b["input_ids"], b["attention_mask"]))

    assert rows(g) == rows(p) and len(rows(g)) == len(grouped.train_dataset)
    assert padding_share(g) < 0.5 * padding_share(p), (padding_share(g), padding_share(p))


@pytest.mark.parametrize("group", ["on", "off"])
def test_the_order_is_fixed_by_the_seed_and_changes_each_epoch(stage_ws, group):
    """A resumed run (and each process of a multi-process run) must draw the same order, grouped or random."""
    first = build(stage_ws, num_epochs=2, batch_size=4, group_by_length=group).trainer._get_train_sampler()
    again = build(stage_ws, num_epochs=2, batch_size=4, group_by_length=group).trainer._get_train_sampler()
    other_seed = build(stage_ws, num_epochs=2, batch_size=4, seed=1,
                       group_by_length=group).trainer._get_train_sampler()
    assert list(first) == list(again) != list(other_seed)
    first.set_epoch(1)
    again.set_epoch(1)
    assert list(first) == list(again)
    first.set_epoch(0)
    assert list(first) != list(again)


@pytest.mark.parametrize("attention", ["sdpa", "varlen"])
def test_padding_free_rows_never_see_each_other(stage_ws, attention):
    """sdpa: transformers' block-diagonal mask from the position ids; varlen: the studio's attention function
    (backend/training/varlen_attention.py), whose CPU path builds the mask from the collator's boundaries (on
    a GPU it calls PyTorch's variable-length FlashAttention, checked against this path at its first call)."""
    run = build(stage_ws, max_steps=1, padding_free="on", group_by_length="off", attention=attention)
    trainer = run.trainer
    batch = batches(trainer)[0]
    assert "attention_mask" not in batch and batch["input_ids"].shape[0] == 1
    pos = batch["position_ids"][0]
    starts = (pos == 0).nonzero().flatten().tolist() + [len(pos)]
    assert len(starts) - 1 == TRAINING["batch_size"]
    model = trainer.model
    model.eval()
    assert model.config._attn_implementation == ("studio_varlen" if attention == "varlen" else "sdpa")
    bounds = {k: batch[k] for k in ("cu_seq_lens_q", "cu_seq_lens_k", "max_length_q", "max_length_k")}
    with torch.no_grad():
        joined = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"], **bounds).logits[0]
        losses, counts = [], []
        for a, b in zip(starts, starts[1:]):
            ids, labels = batch["input_ids"][:, a:b], batch["labels"][:, a:b]
            alone = model(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0]
            assert torch.allclose(joined[a:b], alone, atol=1e-4), f"row at {a} saw another row"
            n = int((labels[0, 1:] != -100).sum())
            out = model(input_ids=ids, attention_mask=torch.ones_like(ids), labels=labels)
            losses.append(float(out.loss) * n)
            counts.append(n)
        joined_loss = float(model(input_ids=batch["input_ids"], position_ids=batch["position_ids"],
                                  labels=batch["labels"], **bounds).loss)
    # The joined row's loss is the token-weighted mean of the rows' own (no label crosses a boundary).
    assert joined_loss == pytest.approx(sum(losses) / sum(counts), rel=1e-4)


@pytest.mark.parametrize("training", [{"padding_free": "on"}, {"group_by_length": "on"}])
def test_training_with_each_batching_learns(stage_ws, training):
    run = build(stage_ws, max_steps=12, **training)
    result = run.trainer.train()
    losses = [h["loss"] for h in run.trainer.state.log_history if "loss" in h]
    assert result.global_step == 12 and all(math.isfinite(x) for x in losses)
    assert sum(losses[-3:]) / 3 < 0.85 * sum(losses[:3]) / 3, losses


def test_padding_free_is_refused_with_prompt_methods():
    with pytest.raises(SpecError) as e:
        JobSpec.from_dict({"method": {"name": "prompt"}, "training": {"padding_free": True}})
    assert "training.padding_free" in str(e.value)


def test_an_older_spec_with_boolean_batching_fields_still_loads():
    t = JobSpec.from_dict({"training": {"padding_free": True, "group_by_length": False}}).training
    assert (t.padding_free, t.group_by_length) == ("on", "off")


@pytest.mark.parametrize("device, padding_free, group", [("cuda", True, False), ("cpu", False, True)])
def test_auto_batching_is_padding_free_on_a_gpu_and_grouped_on_a_cpu(device, padding_free, group):
    from backend.plan.batches import resolve_batching

    assert resolve_batching(JobSpec(), device) == (padding_free, group)
    # without a variable-length kernel a GPU keeps padded, grouped batches; prompt methods are never joined
    assert resolve_batching(JobSpec(), device, varlen=False) == (False, True)
    prompt = JobSpec.from_dict({"method": {"name": "prompt"}})
    assert resolve_batching(prompt, device) == (False, True)
    # an explicit choice wins; batching only concerns sft
    assert resolve_batching(JobSpec.from_dict({"training": {"padding_free": "on"}}), "cpu") == (True, False)
    assert resolve_batching(JobSpec.from_dict({"stage": "dpo"}), device) == (False, False)


@pytest.mark.parametrize("batch, max_length, device, tokens, part", [
    (8, 512, "cpu", 0, 4),  # the CPU default: 2048 tokens a pass
    (6, 512, "cpu", 0, 3),  # the largest divisor that fits
    (7, 512, "cpu", 0, 1),
    (8, 128, "cpu", 0, 8),  # fits whole
    (8, 512, "cuda", 0, 8),  # a GPU takes the whole batch unless told
    (8, 512, "cuda", 1024, 2),
    (8, 512, "cpu", -1, 8),  # never split
])
def test_split_batches_keeps_the_rows_per_update(batch, max_length, device, tokens, part):
    from backend.training.batching import split_batches

    spec = JobSpec.from_dict({"training": {"batch_size": batch, "gradient_accumulation_steps": 3,
                                           "tokens_per_pass": tokens}})
    kwargs = split_batches(spec, {"per_device_train_batch_size": batch, "per_device_eval_batch_size": batch,
                                  "gradient_accumulation_steps": 3}, max_length, device)
    assert kwargs["per_device_train_batch_size"] == part
    assert kwargs["per_device_train_batch_size"] * kwargs["gradient_accumulation_steps"] == batch * 3


def test_a_batch_in_parts_trains_like_the_whole_batch(stage_ws):
    """Parts of 2 rows (tokens_per_pass 256 at max_length 128) against whole batches of 8: the same rows
    in the same order, the same gradient at each update, and the same losses (up to float rounding,
    which Adam magnifies on gradients near zero over later steps)."""
    from transformers import TrainerCallback

    class Grads(TrainerCallback):
        def __init__(self):
            self.first = None

        def on_pre_optimizer_step(self, args, state, control, model=None, **kw):
            if self.first is None:
                self.first = {n: p.grad.detach().clone() for n, p in model.named_parameters() if p.grad is not None}

    runs = {}
    for name, tokens in (("whole", -1), ("parts", 256)):
        run = build(stage_ws, lora_dropout=0.0, max_steps=4, tokens_per_pass=tokens)  # no random masks
        args = run.trainer.args
        assert (args.per_device_train_batch_size, args.gradient_accumulation_steps) == \
            ((8, 1) if name == "whole" else (2, 4))
        grads = Grads()
        run.trainer.add_callback(grads)
        run.trainer.train()
        runs[name] = ([h["loss"] for h in run.trainer.state.log_history if "loss" in h], grads.first)
    (whole_losses, whole_grads), (part_losses, part_grads) = runs["whole"], runs["parts"]
    assert len(whole_losses) == len(part_losses) == 4
    assert part_losses == pytest.approx(whole_losses, rel=2e-3)
    assert whole_grads.keys() == part_grads.keys() and any(g.abs().sum() > 0 for g in whole_grads.values())
    for n, g in whole_grads.items():
        torch.testing.assert_close(part_grads[n], g, rtol=1e-3, atol=1e-6)
