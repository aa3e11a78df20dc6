"""The cluster as a setting of the page (studio/views/cluster_panel.py): an unreachable address is said at once
with what to run, Connect sends the next job to the local Ray head (it runs in a Ray worker) and remembers the
address in settings.json, *This machine only* goes back to local workers; nothing switches while a job runs."""

from __future__ import annotations

import json

from tests.backend.cluster.test_ray_jobs import demo, node_record
from tests.conftest import wait_for


def test_the_page_connects_the_queue_to_the_cluster_and_back(store, ray_head):
    from backend.jobs.scheduler import Scheduler
    from studio.context import Ctx
    from studio.i18n import SessionStrings
    from studio.views import cluster_panel

    ctx = Ctx(store.workspace, store, SessionStrings("en"), None, None)
    sched = Scheduler(store, poll_s=0.1)  # started after the switch: the test decides when jobs start
    cluster_panel.attach(sched)
    settings = store.workspace.root / "settings.json"
    try:
        said = cluster_panel.switch(ctx, "127.0.0.1:1")
        assert said.startswith("⚠") and "127.0.0.1:1" in said and "ray start --head" in said
        assert sched.cluster is None and not settings.exists()
        zh = Ctx(store.workspace, store, SessionStrings("zh"), None, None)
        assert "127.0.0.1:1" in cluster_panel.switch(zh, "127.0.0.1:1") and "ray start --head" in \
            cluster_panel.switch(zh, "127.0.0.1:1")

        said = cluster_panel.switch(ctx, ray_head)
        assert said.startswith("✓") and sched.cluster is not None
        assert json.loads(settings.read_text())["cluster"] == ray_head
        assert cluster_panel.current_address(ctx) == ray_head
        # after a language switch the status says the same state in the page's new language
        assert ray_head in cluster_panel.now(zh) and cluster_panel.now(zh) != cluster_panel.now(ctx)
        job = store.create_job(demo("training.max_steps=2"))
        sched.start()
        wait_for(lambda: store.get(job).state == "running", 60, "the job to start on the cluster")
        assert "run now" in cluster_panel.switch(ctx, None) and sched.cluster is not None  # not while it runs
        wait_for(lambda: store.get(job).state in ("succeeded", "failed"), 120, "the cluster job to end")
        assert store.get(job).state == "succeeded" and node_record(store, job)["node_id"]

        assert cluster_panel.switch(ctx, None).startswith("✓") and sched.cluster is None
        assert cluster_panel.now(zh) == ""
        assert json.loads(settings.read_text())["cluster"] == "off"
        local = store.create_job(demo("training.max_steps=2"))
        wait_for(lambda: store.get(local).state in ("succeeded", "failed"), 120, "the local job to end")
        assert store.get(local).state == "succeeded" and store.get(local).pid  # a local worker has a pid here
        assert not (store.job_dir(local) / "node.json").exists()
    finally:
        sched.stop()
        for child in sched.children.values():
            child.kill()
        cluster_panel.attach(None)
