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
        training.seed, training.logging_steps, training.eval_split, training.save_steps, training.save_minutes,
        *data.form_tail(), *method.form_tail(), *training.form_tail(),
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


def form_updates(v: FormValues, n_slots: int) -> list:
    """Values for the `form_inputs` components that show `v` (Runs → Clone fills the wizard with it).

    Placeholder slots get their key as the label, and only slots with a key are shown.
    """
    import gradio as gr

    keys = list(v.placeholder_keys)[:n_slots]
    values = list(v.placeholder_values)[:n_slots]
    slots = [
        gr.update(value=values[i], label=keys[i], visible=True) if i < len(keys) else gr.update(value="", visible=False)
        for i in range(n_slots)
    ]
    head = [v.model_source, v.model_path, v.trust_remote_code, v.data_source, v.data_path, v.data_format, keys]
    names = FormValues.names()
    rest = [getattr(v, n) for n in names[names.index("lora_r") :]]
    return [*head, *slots, *rest]
