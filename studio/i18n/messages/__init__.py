"""The backend's messages in the UI's other languages, by the ids of backend/messages/en/: one table per
area per language, merged here. A language missing an id shows the English."""

from studio.i18n.messages import (
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

ZH: dict[str, str] = {}
for _area in (bench, chat, cluster, data, export, jobs, plan, rows, serve, spec, sweep, training, vision):
    ZH.update(_area.ZH)

CATALOGS: dict[str, dict[str, str]] = {"zh": ZH}
