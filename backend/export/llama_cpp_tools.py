"""llama.cpp's own tools for the GGUF export: its converter (convert_hf_to_gguf.py) and its quantizer.

    converter, why = find_converter(workspace)       # a folder, or None and the reason there is none
    pre = convert(converter, merged_dir, out, "f16", name="my-job")   # the pre-tokenizer the studio chose, or ""
    quantize(f16_file, out, "q4_k_m")                 # llama_cpp.llama_model_quantize

The converter is found in $LLAMA_CPP_DIR (a llama.cpp checkout), else in <workspace>/tools/llama.cpp-<V>/,
extracted once from the source archive of the *installed* llama-cpp-python version V (`pip download
llama-cpp-python==V --no-binary :all:`; only convert_hf_to_gguf.py, conversion/, gguf-py/ and the licence are
kept): the converter, its gguf-py and the quantizer compiled into llama-cpp-python are then one llama.cpp commit.
The converter runs in a process of its own (backend.export.convert_runner), with its gguf-py on the path.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from backend.export.adapter_zip import ExportError
from backend.messages import msg

log = logging.getLogger("studio.export")
# the quantizer's types (llama_cpp.LLAMA_FTYPE_* names); f16/bf16/q8_0 come straight from the converter
K_QUANTS = {"q4_k_m": "LLAMA_FTYPE_MOSTLY_Q4_K_M", "q5_k_m": "LLAMA_FTYPE_MOSTLY_Q5_K_M",
            "q6_k": "LLAMA_FTYPE_MOSTLY_Q6_K", "q8_0": "LLAMA_FTYPE_MOSTLY_Q8_0"}
KEEP = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/gguf/", "gguf-py/LICENSE", "LICENSE")
FETCH_TIMEOUT_S = 600
CONVERT_TIMEOUT_S = 3600


def llama_cpp_version() -> str | None:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("llama-cpp-python")
    except PackageNotFoundError:
        return None


def is_converter(folder: Path) -> bool:
    return (folder / "convert_hf_to_gguf.py").is_file() and (folder / "conversion").is_dir() and (
        folder / "gguf-py" / "gguf").is_dir()


def find_converter(workspace=None, tools_dir: Path | None = None) -> tuple[Path | None, str]:
    """(llama.cpp's converter folder, "") or (None, why there is none). Fetches it once when it can."""
    env = os.environ.get("LLAMA_CPP_DIR")
    if env:
        folder = Path(env).expanduser()
        return (folder, "") if is_converter(folder) else (None, msg("export.converter_env_bad", path=str(folder)))
    version = llama_cpp_version()
    if version is None:
        return None, msg("export.converter_no_llama_cpp")
    tools = tools_dir or (workspace.root / "tools" if workspace is not None else None)
    if tools is None:
        return None, msg("export.converter_no_workspace")
    folder = Path(tools) / f"llama.cpp-{version}"
    if is_converter(folder):
        return folder, ""
    try:
        fetch_converter(version, folder)
    except ExportError as e:
        return None, str(e)
    return folder, ""


def fetch_converter(version: str, folder: Path) -> Path:
    """Extract llama.cpp's converter from llama-cpp-python's source archive of `version` into `folder`."""
    log.info("fetching llama.cpp's converter from the llama-cpp-python %s source archive", version)
    with tempfile.TemporaryDirectory(prefix="studio-llama-src-") as tmp:
        cmd = [sys.executable, "-m", "pip", "download", f"llama-cpp-python=={version}", "--no-deps",
               "--no-binary", ":all:", "--dest", tmp, "--quiet"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=FETCH_TIMEOUT_S, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ExportError(msg("export.converter_fetch_failed", version=version,
                                  reason=f"no answer in {FETCH_TIMEOUT_S} s")) from None
        archives = sorted(Path(tmp).glob("llama_cpp_python-*.tar.gz"))
        if done.returncode != 0 or not archives:
            reason = (done.stderr.strip().splitlines() or ["pip download failed"])[-1]
            raise ExportError(msg("export.converter_fetch_failed", version=version, reason=reason))
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _extract(archives[0], partial)
    if not is_converter(partial):
        raise ExportError(msg("export.converter_fetch_failed", version=version,
                              reason="the archive holds no vendor/llama.cpp/convert_hf_to_gguf.py"))
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def _extract(archive: Path, dest: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            parts = member.name.split("/", 3)  # llama_cpp_python-V / vendor / llama.cpp / rest
            if len(parts) < 4 or parts[1:3] != ["vendor", "llama.cpp"] or not member.isfile():
                continue
            rest = parts[3]
            if ".." in rest.split("/") or not any(rest == k or (k.endswith("/") and rest.startswith(k)) for k in KEEP):
                continue
            target = dest / rest
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def convert(converter: Path, model_dir: Path, out: Path, outtype: str, name: str) -> str:
    """Run llama.cpp's converter on a transformers folder. Returns the pre-tokenizer name the studio gave an
    unknown tokenizer ("" when llama.cpp recognised it)."""
    from backend.resources import PROJECT_ROOT

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH", ""))
                                                       if p)}
    env.pop("NO_LOCAL_GGUF", None)
    cmd = [sys.executable, "-m", "backend.export.convert_runner", str(converter), str(model_dir),
           "--outfile", str(out), "--outtype", outtype, "--model-name", name]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=CONVERT_TIMEOUT_S,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ExportError(msg("export.convert_failed", reason=f"no end in {CONVERT_TIMEOUT_S} s")) from None
    lines = done.stderr.strip().splitlines()
    unsupported = re.search(r"Model (\S+) is not supported", done.stderr)
    if done.returncode != 0 and unsupported:  # an architecture llama.cpp has no converter for (OPT, GPT-J...)
        raise ExportError(msg("export.gguf_arch_unsupported", arch=unsupported.group(1), job=name,
                              model_type=repr(_model_type(model_dir))))
    if done.returncode != 0 or not out.is_file():
        errors = [ln for ln in lines if "Error" in ln or "error" in ln] or lines or [f"exit code {done.returncode}"]
        raise ExportError(msg("export.convert_failed", reason=errors[-1][-400:]))
    chosen = [ln.split(": ", 1)[1] for ln in lines if ln.startswith("studio-pre-tokenizer: ")]
    return chosen[-1] if chosen else ""


def _model_type(model_dir: Path) -> str | None:
    try:
        return json.loads((model_dir / "config.json").read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError):
        return None


def quantize(src: Path, out: Path, quant: str, threads: int = 0) -> None:
    """llama.cpp's quantizer (llama_model_quantize) from an f16/f32 GGUF to `quant`."""
    try:
        import ctypes

        import llama_cpp
    except ImportError:
        raise ExportError(msg("export.quant_needs_llama_cpp", quant=quant)) from None
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, K_QUANTS[quant])
    params.nthread = threads or (os.cpu_count() or 1)
    code = llama_cpp.llama_model_quantize(str(src).encode(), str(out).encode(), ctypes.byref(params))
    if code != 0 or not out.is_file():
        raise ExportError(msg("export.quantize_failed", quant=quant, code=code))


def tensor_types(path: Path) -> dict[str, int]:
    """{type name: how many tensors} of a GGUF file, e.g. {"Q5_0": 22, "F32": 21, "Q4_K": 2}."""
    import gguf

    counts: dict[str, int] = {}
    for t in gguf.GGUFReader(str(path)).tensors:
        counts[t.tensor_type.name] = counts.get(t.tensor_type.name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
