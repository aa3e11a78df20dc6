"""The built-in vision-language demo: a tiny random-init Qwen2-VL, made offline on first use.

    python -m backend.demo_vlm [WORKSPACE]      # builds <workspace>/models/demo-vl once

Built like the text demo (backend/demo.py): its tokenizer is the same kind of byte-level BPE trained
with `tokenizers` on the project's own text, plus Qwen2-VL's special tokens; its image processor is
Qwen2-VL's with a small pixel budget (a photo becomes a few dozen patches, a handful of image tokens);
its processor's chat template is Qwen2-VL's, which expands each image into
<|vision_start|><|image_pad|><|vision_end|> (and the processor then repeats <|image_pad|> once per
merged patch). `AutoProcessor` and `AutoModelForImageTextToText` load the folder. It knows nothing;
it is for trying the image path of the studio on a CPU in a minute.
"""

from __future__ import annotations

import sys
from pathlib import Path

from backend.demo import _corpus, train_tokenizer
from backend.spec.sections import DEMO_VL

DEMO_VL_NAME = DEMO_VL  # its folder under models/, as a spec names it
VOCAB_SIZE = 2048
VISION_TOKENS = ["<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>"]
# A tiny Qwen2-VL: the text model is the text demo's size, the vision tower two blocks of width 32.
TEXT_CONFIG = dict(
    hidden_size=128,
    intermediate_size=512,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=4096,
    initializer_range=0.1,
    # head_dim 32 -> 16 rotary frequencies, split over (time, height, width) like Qwen2-VL's [16, 24, 24] of 64.
    rope_parameters={"rope_type": "default", "rope_theta": 10000.0, "mrope_section": [4, 6, 6]},
)
VISION_CONFIG = dict(
    depth=2,
    embed_dim=32,
    num_heads=2,
    mlp_ratio=2,
    patch_size=14,
    spatial_merge_size=2,
    temporal_patch_size=2,
    in_channels=3,
)
# 28x28 pixels per image token (patch 14, merge 2): 4 to 16 image tokens per image.
MIN_PIXELS = 4 * 28 * 28
MAX_PIXELS = 16 * 28 * 28

# Qwen2-VL's chat template, without its default system turn; a string content's "<image>" placeholders
# (LLaMA-Factory's format) expand like image parts do.
VISION_BLOCK = "<|vision_start|><|image_pad|><|vision_end|>"
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['content'] is string -%}"
    "{{ message['content'] | replace('<image>', '" + VISION_BLOCK + "') }}"
    "{%- else -%}"
    "{%- for content in message['content'] -%}"
    "{%- if content['type'] == 'image' or 'image' in content or 'image_url' in content -%}"
    "{{ '" + VISION_BLOCK + "' }}"
    "{%- elif content['type'] == 'video' or 'video' in content -%}"
    "{{ '<|vision_start|><|video_pad|><|vision_end|>' }}"
    "{%- elif 'text' in content -%}"
    "{{ content['text'] }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- endif -%}"
    "{{ '<|im_end|>\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)


def demo_vlm_dir(models_dir: Path) -> Path:
    return Path(models_dir) / DEMO_VL_NAME


def is_built(models_dir: Path) -> bool:
    d = demo_vlm_dir(models_dir)
    return all((d / f).is_file() for f in ("config.json", "model.safetensors", "processor_config.json"))


def ensure_demo_vlm(models_dir: Path) -> Path:
    """Build the vision-language demo once (safe when several processes ask at the same time)."""
    from backend.demo import build_once

    return build_once(models_dir, DEMO_VL_NAME, lambda: is_built(models_dir), build_tiny_vlm)


def demo_vlm_config() -> dict:
    """The demo's config.json as the build makes it (close enough for the page and the memory estimate before the
    model exists: the vocabulary is the BPE's budget plus the vision tokens)."""
    vocab = VOCAB_SIZE + len(VISION_TOKENS)
    return {
        "model_type": "qwen2_vl",
        "architectures": ["Qwen2VLForConditionalGeneration"],
        "tie_word_embeddings": True,
        "text_config": {**TEXT_CONFIG, "model_type": "qwen2_vl_text", "vocab_size": vocab},
        "vision_config": {**VISION_CONFIG, "hidden_size": TEXT_CONFIG["hidden_size"], "model_type": "qwen2_vl"},
        "image_processor": {"min_pixels": MIN_PIXELS, "max_pixels": MAX_PIXELS},
    }


def _corpus_vl() -> list[str]:
    return _corpus() + ["Who are they? What are they doing? Who is he? Why is he on the ground? image picture"] * 4


def _processor():
    from transformers import PreTrainedTokenizerFast, Qwen2VLProcessor
    try:  # transformers >= 5.x names the Pillow one apart from the torchvision one
        from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil
    except ImportError:  # transformers 5.0: Qwen2VLImageProcessor is the Pillow one
        from transformers import Qwen2VLImageProcessor as Qwen2VLImageProcessorPil

    tok = train_tokenizer(_corpus_vl(), VOCAB_SIZE)
    tok.add_special_tokens(VISION_TOKENS)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
        extra_special_tokens={
            "image_token": "<|image_pad|>",
            "video_token": "<|video_pad|>",
            "vision_start_token": "<|vision_start|>",
            "vision_end_token": "<|vision_end|>",
        },
    )
    fast.chat_template = CHAT_TEMPLATE
    images = Qwen2VLImageProcessorPil(
        min_pixels=MIN_PIXELS,
        max_pixels=MAX_PIXELS,
        patch_size=VISION_CONFIG["patch_size"],
        merge_size=VISION_CONFIG["spatial_merge_size"],
        temporal_patch_size=VISION_CONFIG["temporal_patch_size"],
    )
    from backend.vlm.processor import images_only_class

    return images_only_class(Qwen2VLProcessor)(image_processor=images, tokenizer=fast, chat_template=CHAT_TEMPLATE)


def build_tiny_vlm(out: Path) -> None:
    """A random-init Qwen2-VL of TEXT_CONFIG/VISION_CONFIG with its processor, saved in `out`."""
    import shutil

    import torch
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration

    from backend.vlm.processor import save_processor

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    processor = _processor()
    save_processor(processor, out)
    tok = processor.tokenizer
    ids = {t: tok.convert_tokens_to_ids(t) for t in ["<|im_end|>", "<|endoftext|>", *VISION_TOKENS]}
    text = dict(
        TEXT_CONFIG,
        vocab_size=len(tok),
        bos_token_id=None,
        eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"],
    )
    vision = dict(VISION_CONFIG, hidden_size=TEXT_CONFIG["hidden_size"])
    config = Qwen2VLConfig(
        text_config=text,
        vision_config=vision,
        image_token_id=ids["<|image_pad|>"],
        video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"],
        vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    model = Qwen2VLForConditionalGeneration(config)
    model.generation_config.eos_token_id = ids["<|im_end|>"]
    model.generation_config.pad_token_id = ids["<|endoftext|>"]
    model.save_pretrained(out)


if __name__ == "__main__":
    from backend.workspace import Workspace

    ws = Workspace.at(sys.argv[1]) if len(sys.argv) > 1 else Workspace.default()
    print(ensure_demo_vlm(ws.models_dir))


def load_processor(path):  # kept name: backend.vlm.processor.load_processor
    from backend.vlm.processor import load_processor as load

    return load(path)
