"""The LM head on a CPU (backend/training/lm_head.py) against TRL's tiled head: the same log-probs,
entropy, metrics and gradients, and the same loss through a fused model on a real SFT step."""

from __future__ import annotations

import pytest
import torch

from backend.training import lm_head

OUTPUTS = ("log_probs", "entropy", "log_sum_sq_probs", "mean_logits", "is_top1")


def tiled():
    from trl.kernels import ChunkedLogProbFunction

    return ChunkedLogProbFunction


@pytest.mark.parametrize("scale, temperature", [(1.0, 1.0), (0.5, 0.7)])
def test_dense_head_matches_trls_tiled_head_values_and_gradients(scale, temperature):
    torch.manual_seed(0)
    n, d, vocab = 37, 16, 300
    hidden = torch.randn(n, d, requires_grad=True)
    weight = (torch.randn(vocab, d) * 0.5).requires_grad_()
    targets = torch.randint(0, vocab, (n,))

    def run(fn):
        h, w = hidden.detach().clone().requires_grad_(), weight.detach().clone().requires_grad_()
        # chunk 128: the tiled head folds three vocabulary tiles
        out = fn(h, w, None, targets, temperature, 128, None, scale, OUTPUTS)
        (out[0].sum() * 0.3 + out[1].sum() * 0.1).backward()  # both differentiable outputs carry gradient
        return out, h.grad, w.grad

    (lp, ent, lssp, mean, top1), gh, gw = run(lm_head.dense_log_probs)
    (lp_t, ent_t, lssp_t, mean_t, top1_t), gh_t, gw_t = run(tiled().apply)
    for ours, theirs in ((lp, lp_t), (ent, ent_t), (lssp, lssp_t), (mean, mean_t), (gh, gh_t), (gw, gw_t)):
        torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-5)
    assert torch.equal(top1, top1_t)
    assert lp.max() < 0 and ent.min() > 0  # real log-probs and entropies, not zeros


def test_only_the_asked_outputs_are_made():
    hidden, weight = torch.randn(5, 8), torch.randn(20, 8)
    out = lm_head.dense_log_probs(hidden, weight, None, torch.arange(5), 1.0, 0, None, 1.0, ("log_probs",))
    assert out[0].shape == (5,) and all(x is None for x in out[1:])
    torch.testing.assert_close(out[0], torch.log_softmax(hidden @ weight.t(), -1)[torch.arange(5), torch.arange(5)])


def test_fused_model_loss_and_gradients_are_unchanged_on_a_cpu(demo_models_dir):
    """The whole patched path (trl's fused forward scoring only labelled positions, through the dense
    head) against TRL's own, on the demo model with a prompt masked and a padded row."""
    import trl.trainer.utils as trl_utils
    from transformers import AutoModelForCausalLM

    assert lm_head.install()
    patched = (trl_utils._ChunkedLogProbFunction, trl_utils._use_triton)
    assert patched[0] is not tiled() and patched[1](torch.device("cpu"))

    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(demo_models_dir / "demo")
    trl_utils.add_fused_lm_head(model, outputs=("log_probs", "entropy", "is_top1"))
    ids = torch.randint(3, model.config.vocab_size, (2, 24))
    labels = ids.clone()
    labels[:, :9] = -100  # the prompt
    labels[1, 18:] = -100  # padding
    mask = torch.ones_like(ids)
    mask[1, 18:] = 0

    def step():
        model.zero_grad()
        out = model(input_ids=ids, attention_mask=mask, labels=labels, fused_lm_head=True)
        out.loss.backward()
        grads = [p.grad.clone() for p in model.parameters() if p.grad is not None]
        return out, grads

    ours, our_grads = step()
    trl_utils._ChunkedLogProbFunction, trl_utils._use_triton = tiled(), lambda device: False  # TRL's own CPU path
    try:
        theirs, their_grads = step()
    finally:
        trl_utils._ChunkedLogProbFunction, trl_utils._use_triton = patched
    torch.testing.assert_close(ours.loss, theirs.loss, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(ours.entropy, theirs.entropy, rtol=1e-4, atol=1e-5)
    assert torch.equal(ours.is_top1, theirs.is_top1) and torch.equal(ours.label_mask, theirs.label_mask)
    assert len(our_grads) == len(their_grads) > 10
    for a, b in zip(our_grads, their_grads):
        torch.testing.assert_close(a, b, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("limit, softcap", [(10, None), (10**9, 30.0)])
def test_large_or_softcapped_logits_keep_trls_tiles(monkeypatch, limit, softcap):
    """Beyond DENSE_MAX_ELEMENTS (memory), or with final-logit softcapping, TRL's head answers."""
    assert lm_head.install()
    import trl.trainer.utils as trl_utils

    calls = []
    monkeypatch.setattr(lm_head, "dense_log_probs", lambda *a: calls.append(a))
    monkeypatch.setattr(lm_head, "DENSE_MAX_ELEMENTS", limit)
    hidden, weight = torch.randn(4, 8), torch.randn(20, 8)
    out = trl_utils._ChunkedLogProbFunction.apply(hidden, weight, None, torch.arange(4), 1.0, 8, softcap, 1.0,
                                                  ("log_probs",))
    assert not calls
    z = hidden @ weight.t()
    z = softcap * torch.tanh(z / softcap) if softcap else z
    torch.testing.assert_close(out[0], torch.log_softmax(z, -1)[torch.arange(4), torch.arange(4)])


def test_gradient_of_the_log_probs_alone():
    """SFT's case: the entropy is a metric (no gradient reaches it)."""
    torch.manual_seed(2)
    hidden, weight, targets = torch.randn(9, 6), torch.randn(50, 6), torch.randint(0, 50, (9,))
    grads = []
    for fn in (lm_head.dense_log_probs, tiled().apply):
        h = hidden.clone().requires_grad_()
        fn(h, weight, None, targets, 1.0, 16, None, 1.0, ("log_probs", "entropy"))[0].sum().backward()
        grads.append(h.grad)
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-4, atol=1e-6)
