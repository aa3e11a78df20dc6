"""The vision tower's and projector's share of a vision-language job's memory (backend/plan/estimate.py adds it to
its parts). Torch-free.

    vis = vision_estimate(spec, config, "cuda", rows=1, image_tokens=[1369])
    vis.weights, vis.gradients, vis.optimizer, vis.activations, vis.patches

    weights      the tower and the projector in the load dtype when frozen (qlora: fp32, as
                 prepare_model_for_kbit_training casts every weight it does not quantize; the tower is never
                 quantized: backend.vlm.skip_quantizing); a part that trains whole (full/freeze with
                 method.train_projector / train_vision_tower) as fp32 master weights plus, in mixed precision,
                 their compute-dtype copy; LoRA methods: the projector's trained copy (PEFT's modules_to_save) and
                 the tower's adapters in fp32.
    gradients    trainable x 4 B;  optimizer: AdamW's two fp32 moments, 2 x trainable x 4 B.
    activations  what the backward pass keeps of the images of the largest pass: nothing when the tower and the
                 projector are frozen (no weight of theirs needs a gradient, so autograd keeps nothing; their
                 forward runs before the language model's and is gone by its peak); the projector's inputs and
                 its MLP's (about 4 x width a patch) when it trains; when the tower trains, every block's
                 (10 x width + 2 x its MLP size a patch: two norms in and out, q/k/v, q and k rotated, the
                 attention output, the MLP's inner and activated values; SwiGLU: 4 x) and LoRA's input copies,
                 times the activation factor of the text path. With gradient checkpointing each block's input.
The patches of a pass: its rows' images (each row's image tokens x merge^2; without the data,
IMAGES_PER_ROW image at max_pixels a row, never more than max_length tokens of them, as the worker leaves out a row
longer than max_length).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.plan.vision import IMAGES_PER_ROW, VisionDims, tokens_per_image, vision_dims, vision_linear_shapes
from backend.spec import LORA_FAMILY, JobSpec
from backend.vlm import LINEAR_NAMES, VISION_LINEAR_NAMES, trained_parts

ADAPTER_ACTIVATION = 2.4  # as backend.plan.estimate: values kept per adapted input feature on a CPU


@dataclass
class VisionEstimate:
    tower_params: int
    projector_params: int
    trainable: int  # of the tower and the projector (adapters included)
    adapter_params: int  # LoRA weights on the tower and the projector's trained copy: they add to the total
    weights: int
    gradients: int
    optimizer: int
    activations: int
    images: int  # images in the largest pass
    patches: int  # patches the tower reads in the largest pass
    tokens_per_image: int  # image tokens of one image at max_pixels
    parts: tuple[str, ...]  # what of it trains: ("projector", "vision")

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer + self.activations


def tower_adapter_params(spec: JobSpec, d: VisionDims) -> int:
    """LoRA parameters on the tower's linear layers (backend.vlm.lora_target_regex's vision scope): every block's
    layers the method's target_modules names (all-linear: each of them, and the patch embedding's `proj` conv)."""
    m = spec.method
    value = m.target_modules.strip()
    shapes = vision_linear_shapes(d)
    if value in ("all-linear", "all_linear", "all"):
        names = [n for n in shapes if n in (*LINEAR_NAMES, *VISION_LINEAR_NAMES)]
        patch_in = d.channels * d.temporal * d.patch ** 2 if d.family != "vit" else 0
    else:
        wanted = {n.strip().rsplit(".", 1)[-1] for n in value.split(",")}
        names = [n for n in shapes if n in wanted]
        patch_in = d.channels * d.temporal * d.patch ** 2 if "proj" in wanted and d.family != "vit" else 0
    per_block = sum(m.lora_r * (shapes[n][0] + shapes[n][1]) + (shapes[n][1] if m.name == "dora" else 0)
                    for n in names)
    patch = m.lora_r * (patch_in + d.width) + (d.width if m.name == "dora" else 0) if patch_in else 0
    return d.depth * per_block + patch


def pass_images(spec: JobSpec, d: VisionDims, rows: int, image_tokens: list[int] | None) -> tuple[int, int]:
    """(images, patches) in the largest pass of `rows` rows: from the rows' image tokens when known (the rows with
    the most), else IMAGES_PER_ROW image at max_pixels a row; a row's image tokens never above max_length."""
    cap = spec.training.max_length
    if image_tokens:
        per_row = sorted((min(n, cap) for n in image_tokens if n > 0), reverse=True)[:rows]
        tokens = sum(per_row)
        per_image = max(tokens_per_image(d), 1)
        images = max(len(per_row), -(-tokens // per_image))
    else:
        tokens = rows * min(IMAGES_PER_ROW * tokens_per_image(d), cap)
        images = rows * IMAGES_PER_ROW
    return images, tokens * d.merge ** 2


def vision_estimate(spec: JobSpec, config: dict, device: str, rows: int, image_tokens: list[int] | None = None,
                    compute: int = 4, factor: float = 1.0) -> VisionEstimate | None:
    """The vision side of `spec` on the model `config` describes (None for a text model). rows: the rows of the
    largest pass; image_tokens: the training rows' image tokens where known; compute: the compute dtype's bytes;
    factor: the text path's activation factor."""
    from backend.plan.vision import vision_params

    d = vision_dims(config)
    if d is None:
        return None
    counts = vision_params(config)
    tower, proj = counts["vision"], counts["projector"]
    m = spec.method
    parts = tuple(p for p in ("projector", "vision") if p in trained_parts(m))
    peft = m.name in LORA_FAMILY
    frozen_bytes = 4 if m.name == "qlora" else compute
    trainable = adapter = 0
    weights = (tower + proj) * frozen_bytes
    if peft:
        if "projector" in parts:  # modules_to_save: a trained copy beside the frozen original
            trainable += proj
            adapter += proj
        if "vision" in parts:
            trainable += tower_adapter_params(spec, d)
            adapter += tower_adapter_params(spec, d)
        weights += adapter * 4
    else:  # full / freeze: the part trains whole, in fp32 (backend.training.vision_model.restrict_to_parts)
        whole = (proj if "projector" in parts else 0) + (tower if "vision" in parts else 0)
        trainable = whole
        weights += whole * (4 - compute) + (whole * compute if compute < 4 else 0)

    images, patches = pass_images(spec, d, rows, image_tokens)
    act_bytes = compute
    w = d.width
    if "vision" in parts:
        per_patch = 10 * w + (4 if d.gated_mlp else 2) * d.mlp
        if peft and device != "cuda":
            shapes = vision_linear_shapes(d)
            per_patch += ADAPTER_ACTIVATION * sum(i for i, _ in shapes.values())
        if spec.training.gradient_checkpointing == "on":
            held = d.depth * w + per_patch
        else:
            held = d.depth * per_patch
        held += 4 * w  # the projector's, which the gradient passes through to reach the tower
    elif "projector" in parts:
        held = 4 * w
    else:
        held = 0
    activations = int(factor * patches * act_bytes * held)
    return VisionEstimate(tower_params=tower, projector_params=proj, trainable=trainable, adapter_params=adapter,
                          weights=int(weights), gradients=trainable * 4, optimizer=2 * trainable * 4,
                          activations=activations, images=images, patches=patches,
                          tokens_per_image=tokens_per_image(d), parts=parts)
