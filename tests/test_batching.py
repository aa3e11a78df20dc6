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


def build(stage_ws, **training):
    spec = JobSpec.from_dict({"data": {"train": "demo"}, "method": {"name": "lora", "lora_r": 8},
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
    assert type(plain._get_train_sampler()).__name__ == "RandomSampler"

    def padding_share(bs):
        real = sum(int(b["attention_mask"].sum()) for b in bs)
        return 1 - real / sum(b["attention_mask"].numel() for b in bs)

    g, p = batches(grouped), batches(plain)
    # Every row once per epoch, whatever the order.
    def rows(bs):
        return sorted(tuple(r[m.bool()].tolist()) for b in bs for r, m in zip(b["input_ids"], b["attention_mask"]))

    assert rows(g) == rows(p) and len(rows(g)) == len(grouped.train_dataset)
    assert padding_share(g) < 0.5 * padding_share(p), (padding_share(g), padding_share(p))


def test_grouped_order_is_fixed_by_the_seed_and_changes_each_epoch(stage_ws):
    """A resumed run (and each process of a multi-process run) must draw the same order."""
    first = build(stage_ws, num_epochs=2, batch_size=4).trainer._get_train_sampler()
    again = build(stage_ws, num_epochs=2, batch_size=4).trainer._get_train_sampler()
    other_seed = build(stage_ws, num_epochs=2, batch_size=4, seed=1).trainer._get_train_sampler()
    assert list(first) == list(again) != list(other_seed)
    first.set_epoch(1)
    again.set_epoch(1)
    assert list(first) == list(again)
    first.set_epoch(0)
    assert list(first) != list(again)


def test_padding_free_rows_never_see_each_other(stage_ws):
    run = build(stage_ws, max_steps=1, padding_free=True, group_by_length=False)
    trainer = run.trainer
    batch = batches(trainer)[0]
    assert "attention_mask" not in batch and batch["input_ids"].shape[0] == 1
    pos = batch["position_ids"][0]
    starts = (pos == 0).nonzero().flatten().tolist() + [len(pos)]
    assert len(starts) - 1 == TRAINING["batch_size"]
    model = trainer.model
    model.eval()
    with torch.no_grad():
        joined = model(input_ids=batch["input_ids"], position_ids=batch["position_ids"]).logits[0]
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
                                  labels=batch["labels"]).loss)
    # The joined row's loss is the token-weighted mean of the rows' own (no label crosses a boundary).
    assert joined_loss == pytest.approx(sum(losses) / sum(counts), rel=1e-4)


@pytest.mark.parametrize("training", [{"padding_free": True}, {"group_by_length": True}])
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
