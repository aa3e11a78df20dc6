"""What `studio serve-model JOB [JOB ...]` serves: each job id checked and turned into the weights it stands for.

    targets = resolve_targets(store, ["JOB"], merged=False, gguf=None)
    targets[0].base, targets[0].adapter      # base model folder + the job's adapter (None: a whole model)

Only succeeded jobs of this workspace; several jobs in one server must share one base (their adapters are loaded
side by side on it). A vision-language job's target says so (`vision`): the transformers engine serves it with
images (backend/serve/engine_vision.py). `merged`: the job's exported merged folder (<job>/exports/merged-*). `gguf`: a
file under the job's own exports/ folder (a name there, or a path inside it): nothing outside the job is
served from what a user typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from backend.messages import msg
from backend.workspace import PathError

MERGED_ORDER = ("merged-float32", "merged-bfloat16", "merged-float16")


class ServeError(ValueError):
    """A job that cannot be served, with a message saying what to do."""


@dataclass
class Target:
    job: str
    job_dir: Path
    base: str  # the base model folder (for a full/freeze job or a merged export: the whole model)
    adapter: str | None  # the job's adapter folder, None when `base` is the whole model
    tokenizer_dir: str  # where the job's tokenizer and chat template were saved
    spec_file: str | None
    gguf: Path | None = None
    vision: bool = False  # a vision-language model: served by backend/serve/engine_vision.py

    @property
    def qlora(self) -> bool:
        """A qlora job's base is its quantized values (it cannot share a server with other jobs' plain base)."""
        if not self.spec_file or not Path(self.spec_file).is_file():
            return False
        method = (yaml.safe_load(Path(self.spec_file).read_text(encoding="utf-8")) or {}).get("method") or {}
        return isinstance(method, dict) and method.get("name") == "qlora"


def _job(store, job_id: str):
    name = Path(job_id).name if "/" in job_id else job_id
    try:
        job_dir = store.workspace.job_dir(name)
    except PathError as e:
        raise ServeError(e.args[0]) from None
    job = store.get(name)
    if job is None or not (job_dir / "spec.yaml").is_file():
        raise ServeError(msg("serve.no_job", job=repr(job_id), folder=str(store.workspace.jobs_dir)))
    if job.state != "succeeded":
        raise ServeError(msg("serve.not_succeeded", job=name, state=job.state))
    return name, job_dir


def _merged_dir(job: str, job_dir: Path) -> Path:
    for name in MERGED_ORDER:
        if (job_dir / "exports" / name / "config.json").is_file():
            return job_dir / "exports" / name
    raise ServeError(msg("serve.no_merged", job=job))


def gguf_file(job: str, job_dir: Path, given: str) -> Path:
    """The GGUF file `given` (a file name in <job>/exports/, or a path inside that folder), or ServeError."""
    exports = (job_dir / "exports").resolve()
    candidate = Path(given).expanduser()
    path = (candidate if candidate.is_absolute() or "/" in given else exports / candidate).resolve()
    if exports not in path.parents:
        raise ServeError(msg("serve.gguf_outside", path=given, folder=str(exports)))
    if path.suffix != ".gguf" or not path.is_file():
        raise ServeError(msg("serve.no_gguf", path=given, job=job))
    return path


def job_ggufs(job_dir: Path) -> list[str]:
    """The GGUF files of a job's exports/ folder, by name (the Serve panel's picker)."""
    return sorted(p.name for p in (Path(job_dir) / "exports").glob("*.gguf") if p.is_file())


def resolve_targets(store, job_ids: list[str], merged: bool = False, gguf: str | None = None) -> list[Target]:
    from backend.chat.client import ChatError, job_chat_target

    if gguf and len(job_ids) != 1:
        raise ServeError(msg("serve.gguf_one_job", count=len(job_ids)))
    targets: list[Target] = []
    for job_id in job_ids:
        name, job_dir = _job(store, job_id)
        if name in (t.job for t in targets):
            continue
        spec = job_dir / "spec.yaml"
        try:
            base, adapter = job_chat_target(job_dir)
        except ChatError as e:
            raise ServeError(e.args[0]) from None
        from backend.vlm import is_vision_model

        vision = is_vision_model(base)
        if merged:
            base, adapter = str(_merged_dir(name, job_dir)), None
        tok_dir = adapter or base
        target = Target(name, job_dir, base, adapter, tok_dir, str(spec), vision=vision)
        if gguf:
            target.gguf = gguf_file(name, job_dir, gguf)
        targets.append(target)
    if len({t.vision for t in targets}) > 1:
        raise ServeError(msg("serve.vision_and_text", jobs=", ".join(t.job for t in targets)))
    shared = {(str(Path(t.base).resolve()), t.qlora) for t in targets}
    if len(targets) > 1 and (len(shared) > 1 or any(t.adapter is None for t in targets)):
        raise ServeError(msg("serve.different_bases", jobs=", ".join(f"{t.job} ({t.base})" for t in targets)))
    return targets
