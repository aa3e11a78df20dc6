"""The texts of the live advice (backend.plan.advice): what the curve shows and what to do, per language.

    from studio.i18n.advice import EN, ZH
    for a in advise(rows):
        text = (ZH if lang == "zh" else EN)[f"advice.{a.code}"].format(**a.params)

Each template uses only the names advise() puts in that code's params (a test formats every one).
"""

EN = {
    "advice.title": "Advice",
    "advice.not_finite": (
        "The {metric} became NaN or infinite at step {step}: the run is broken. Lower the learning rate "
        "(e.g. 10x) and start again (a run in fp16 is steadier in bf16 or fp32)."
    ),
    "advice.diverging": (
        "The loss is rising: now {now}, above where it started ({start}) at step {step}. The learning rate "
        "is too high for this model: lower it (e.g. 3-10x) and start again."
    ),
    "advice.overfitting": (
        "Overfitting: the eval loss was best at step {best_step} ({best}) and is now {now} while the training "
        "loss keeps falling; the model is memorising the training rows. Train fewer epochs, raise dropout or "
        "weight decay, add data, or turn on early stopping (the adapter from around step {best_step} is the "
        "one to keep)."
    ),
    "advice.spike": (
        "Loss spike at step {step}: {value}, {ratio}x the recent median ({median}); {count} so far. Lower the "
        "learning rate, keep max_grad_norm at 1.0, or lengthen the warm-up. One spike that recovers is harmless."
    ),
    "advice.flat": (
        "The loss is barely moving: {start} at the start, {now} now ({change_pct:+}% over {points} points). "
        "The learning rate is probably too low (LoRA usually 1e-4 to 3e-4, full fine-tuning 1e-5 to 5e-5), "
        "or the data has a problem: check that the replies are the trained part (the loss mask) in the data "
        "preview."
    ),
}

ZH = {
    "advice.title": "建议",
    "advice.not_finite": (
        "{metric} 在第 {step} 步变成了 NaN 或无穷大：这次训练已经失效。请降低学习率（例如降到 1/10），"
        "然后重新开始（fp16 训练改用 bf16 或 fp32 会更稳定）。"
    ),
    "advice.diverging": (
        "损失在上升：现在为 {now}，已高于开始时的 {start}（第 {step} 步）。学习率对这个模型来说太高："
        "请降低学习率（例如降到 1/3 到 1/10）后重新开始。"
    ),
    "advice.overfitting": (
        "过拟合：评估损失在第 {best_step} 步最好（{best}），现在为 {now}，而训练损失仍在下降；模型在死记训练数据。"
        "请减少训练轮数、提高 dropout 或权重衰减、增加数据，或开启早停（应保留第 {best_step} 步前后的适配器）。"
    ),
    "advice.spike": (
        "第 {step} 步损失突增：{value}，是近期中位数（{median}）的 {ratio} 倍；目前共 {count} 次。"
        "请降低学习率、把 max_grad_norm 保持为 1.0，或延长预热。突增后能恢复的一次突增无害。"
    ),
    "advice.flat": (
        "损失几乎不动：开始时 {start}，现在 {now}（{points} 个点内变化 {change_pct:+}%）。"
        "学习率可能太低（LoRA 通常 1e-4 到 3e-4，全参数微调 1e-5 到 5e-5），"
        "或者数据有问题：请在数据预览中检查训练的是否是回复部分（损失掩码）。"
    ),
}
