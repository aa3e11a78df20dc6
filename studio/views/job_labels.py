"""A job's stored labels as the page shows them: the built-in demo set's label, stored in English in the job index
(backend.spec.JobSpec.dataset_label), in the page's language."""

from __future__ import annotations

from backend.spec.job import DEMO_DATASET_LABEL


def dataset_shown(t, label: str) -> str:
    return t["runs.dataset_demo"] if label == DEMO_DATASET_LABEL else label
