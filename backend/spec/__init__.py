"""The job spec: what to train, on what, how. One spec for the wizard and for `studio train`.

    from backend.spec import JobSpec
    spec = JobSpec.from_yaml(open("templates/demo.yaml").read())
    spec = spec.with_overrides(["training.max_steps=10"])
    print(spec.to_yaml())

Every field carries its help text in `field(metadata={"help": ...})`; the UI shows the same
text as the tooltip, so it is written once. Validation never raises on the first problem: it
collects every problem, each naming the field, the value it got and what is accepted.

job.py: JobSpec, the YAML round trip, the rules; sections.py, training.py, distributed.py: the sections;
stages.py: the stages, each described once; checks.py: SpecIssue, SpecError and the small checks; applies.py: which
fields apply to a job (the Review's YAML shows those, and any field set).
"""

from backend.spec.checks import SpecError, SpecIssue  # noqa: F401
from backend.spec.distributed import STRATEGIES, DistributedSpec  # noqa: F401
from backend.spec.job import SECTIONS, JobSpec, field_help  # noqa: F401
from backend.spec.sections import (  # noqa: F401
    COLUMN_ROLES,
    DATA_FORMATS,
    DEMO,
    DEMO_VL,
    DPO_LOSSES,
    EXPORT_FORMATS,
    GRPO_LOSSES,
    LORA_FAMILY,
    METHODS,
    PROMPT_METHODS,
    REASONING,
    REWARDS,
    TAG_KEYS,
    AlignSpec,
    DataSpec,
    ExportSpec,
    MethodSpec,
    ModelSpec,
)
from backend.spec.stages import STAGE_REGISTRY, STAGES, Refusal, Stage, get_stage, stage_method_problems  # noqa: F401
from backend.spec.training import ATTENTION_CHOICES, PRECISIONS, SCHEDULERS, TRACKERS, TRI_STATE, TrainingSpec  # noqa: F401
