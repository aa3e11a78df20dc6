"""GGUF for llama.cpp, Ollama and LM Studio, made with llama.cpp's own tools, with an Ollama Modelfile beside it.

    studio export JOB_ID --to gguf [--quant f16|bf16|q8_0|q4_k_m|q5_k_m|q6_k] [--out FILE] [--no-parity]

    from backend.export.gguf_export import build_gguf, export_gguf
    path = export_gguf(job_dir, quant="q4_k_m")          # the .gguf; its .Modelfile is beside it
    made = build_gguf(job_dir, quant="q4_k_m")           # GgufExport: path, writer, note, tensor types, ...

The job's adapter is merged into its base (float32), then llama.cpp's converter (convert_hf_to_gguf.py, see
backend.export.llama_cpp_tools) writes f16, bf16 or q8_0; the k-quants q4_k_m, q5_k_m and q6_k are made from
the f16 file by llama.cpp's quantizer (llama-cpp-python). A tensor whose rows do not split into a k-quant's
blocks of 256 gets another type from the quantizer (on the demo's rows of 128: q5_0, q8_0): `tensor_types`
says what each file holds. Without the converter (no llama-cpp-python and no $LLAMA_CPP_DIR, or no network to
fetch it), f16 and q8_0 are written by the studio's own writer (backend.export.gguf_writer), and `note` says
why; the k-quants then need llama-cpp-python: `pip install "finetune-studio[gguf]"`.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from backend.export.adapter_zip import ExportError
from backend.export.gguf_writer import ARCHS, WRITER_QUANTS, permute, write_gguf  # noqa: F401 (permute: tests)
from backend.messages import msg

log = logging.getLogger("studio.export")
QUANTS = ("f16", "bf16", "q8_0", "q4_k_m", "q5_k_m", "q6_k")
CONVERTER_TYPES = ("f16", "bf16", "q8_0")  # written by the converter itself; the rest by the quantizer
FULL_PRECISION = ("f32", "f16", "bf16")


@dataclass
class GgufExport:
    path: Path
    quant: str
    writer: str  # "llama.cpp" or "studio"
    note: str = ""  # why the studio's writer was used, or the pre-tokenizer the studio chose
    pre_tokenizer: str = ""
    tensor_types: dict = field(default_factory=dict)
    modelfile: Path | None = None

    def to_json(self) -> dict:
        return {"path": str(self.path), "quant": self.quant, "writer": self.writer, "note": str(self.note),
                "pre_tokenizer": self.pre_tokenizer, "tensor_types": self.tensor_types,
                "modelfile": str(self.modelfile) if self.modelfile else None}


def refuse_vision(job_dir: Path) -> None:
    """A vision-language job has no GGUF here (llama.cpp wants its vision tower as a separate mmproj file):
    ExportError at once, before anything is merged."""
    from backend.export.vision_job import is_vision_job, model_name

    if is_vision_job(job_dir):
        raise ExportError(msg("export.gguf_vision", job=job_dir.name, model=model_name(job_dir),
                              reason=msg("vision.gguf_refused"), hint=msg("vision.gguf_refused_hint")))


def refuse_reward_model(job_dir: Path) -> None:
    """A reward model (stage rm) scores replies with a one-output head: llama.cpp and Ollama would load it as a chat
    model without that head. ExportError at once, before anything is merged."""
    import yaml

    from backend.spec import get_stage

    spec_file = job_dir / "spec.yaml"
    stage = (yaml.safe_load(spec_file.read_text(encoding="utf-8")) or {}).get("stage") if spec_file.is_file() else None
    if stage and get_stage(stage).score_head:
        raise ExportError(msg("export.gguf_reward_model", job=job_dir.name))


def export_gguf(job_dir: Path, out_path: Path | None = None, quant: str = "f16", workspace=None,
                converter: Path | bool | None = None) -> Path:
    return build_gguf(job_dir, out_path, quant, workspace, converter).path


def build_gguf(job_dir: Path, out_path: Path | None = None, quant: str = "f16", workspace=None,
               converter: Path | bool | None = None) -> GgufExport:
    """`converter`: None finds llama.cpp's converter (fetching it once), a folder uses that one, False uses
    the studio's writer."""
    from backend.export import llama_cpp_tools as tools
    from backend.export.merged import export_merged
    from backend.export.modelfile import write_modelfile

    job_dir = Path(job_dir)
    refuse_vision(job_dir)
    refuse_reward_model(job_dir)
    if quant not in QUANTS:
        raise ExportError(msg("export.bad_quant", choices=", ".join(QUANTS), quant=repr(quant)))
    out = Path(out_path) if out_path else job_dir / "exports" / f"{job_dir.name}-{quant}.gguf"
    if out.is_dir():  # --out FOLDER: the file goes inside, as the adapter zip's and the launch file's do
        out = out / f"{job_dir.name}-{quant}.gguf"
    why = ""
    if converter is None:
        converter, why = tools.find_converter(workspace)
    elif converter is False:
        converter, why = None, msg("export.converter_not_asked")
    if converter is None and quant not in WRITER_QUANTS:
        raise ExportError(msg("export.kquant_needs_converter", quant=quant, reason=why))
    if converter is not None and quant not in CONVERTER_TYPES and tools.llama_cpp_version() is None:
        raise ExportError(msg("export.quant_needs_llama_cpp", quant=quant))
    with tempfile.TemporaryDirectory(prefix="studio-gguf-") as tmp:
        merged = export_merged(job_dir, Path(tmp) / "merged", dtype="float32", workspace=workspace)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        try:
            if converter is not None:
                made = GgufExport(out, quant, "llama.cpp")
                if quant in CONVERTER_TYPES:
                    made.pre_tokenizer = tools.convert(Path(converter), merged, partial, quant, name=job_dir.name)
                else:
                    f16 = Path(tmp) / "f16.gguf"
                    made.pre_tokenizer = tools.convert(Path(converter), merged, f16, "f16", name=job_dir.name)
                    tools.quantize(f16, partial, quant)
                if made.pre_tokenizer:
                    made.note = msg("export.gguf_pre_tokenizer", pre=made.pre_tokenizer)
            else:
                config = json.loads((merged / "config.json").read_text(encoding="utf-8"))
                if config.get("model_type") not in ARCHS:
                    raise ExportError(msg("export.gguf_arch", archs=", ".join(ARCHS), model_type=repr(config.get("model_type"))))
                write_gguf(merged, config, partial, quant, name=job_dir.name)
                made = GgufExport(out, quant, "studio", note=msg("export.gguf_studio_writer", reason=why))
                log.warning("%s", made.note)
            partial.replace(out)
        except BaseException:  # a failed or stopped conversion leaves no half-written file beside the export
            partial.unlink(missing_ok=True)
            raise
        made.modelfile = write_modelfile(out, merged)
    made.tensor_types = tools.tensor_types(out)
    log.info("GGUF (%s, %s) written to %s; tensor types %s", quant, made.writer, out, made.tensor_types)
    return made
