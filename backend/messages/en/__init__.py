"""The English of every message id, one table per area of the backend, merged here (the one place)."""

from backend.messages.en import (
    bench,
    chat,
    cluster,
    data,
    export,
    jobs,
    plan,
    rows,
    serve,
    spec,
    sweep,
    training,
    vision,
)

AREAS = {
    "chat": chat.EN,
    "data": data.EN,
    "rows": rows.EN,
    "export": export.EN,
    "jobs": jobs.EN,
    "plan": plan.EN,
    "spec": spec.EN,
    "training": training.EN,
    "serve": serve.EN,
    "bench": bench.EN,
    "cluster": cluster.EN,
    "sweep": sweep.EN,
    "vision": vision.EN,
}
ENGLISH: dict[str, str] = {}
for _area, _table in AREAS.items():
    _clash = ENGLISH.keys() & _table.keys()
    assert not _clash, f"message ids in two areas: {sorted(_clash)}"
    ENGLISH.update(_table)
