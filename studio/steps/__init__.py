"""The Train wizard's steps, and the one ordered list of components that feeds studio.form."""

from __future__ import annotations

from studio.form import FormValues


def form_inputs(model, data, method, training) -> list:
    """Components whose values make a FormValues, in the order `form_values` reads them."""
    return [
        model.source, model.path, model.trust_remote_code,
        data.source, data.path, data.format, data.placeholder_keys, *data.placeholder_values,
        method.lora_r, method.lora_alpha, method.lora_dropout, method.target_modules,
        training.num_epochs, training.max_steps, training.learning_rate, training.batch_size,
        training.gradient_accumulation_steps, training.max_length, training.scheduler, training.warmup_ratio,
        training.seed, training.logging_steps, training.eval_split,
    ]  # fmt: skip


def form_values(args, n_slots: int) -> FormValues:
    """The inverse of `form_inputs`: handler arguments back to named, typed values."""
    args = list(args)
    model_source, model_path, trust, data_source, data_path, data_format, keys = args[:7]
    slot_values = args[7 : 7 + n_slots]
    rest = args[7 + n_slots :]
    keys = list(keys or [])
    return FormValues(
        model_source, model_path, bool(trust), data_source, data_path, data_format,
        keys, list(slot_values[: len(keys)]), *rest,
    )  # fmt: skip
