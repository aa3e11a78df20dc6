"""A job's stored dataset label in the page's language (studio/views/job_labels.py): the demo set's label is kept in
English in the job index and shown in Chinese on the Chinese page; a user's file name is shown as it is."""

from __future__ import annotations

from backend.spec import JobSpec
from studio.i18n import SessionStrings
from studio.views.job_labels import dataset_shown


def test_the_demo_sets_label_follows_the_page_and_a_file_name_stays():
    label = JobSpec.from_dict({"data": {"train": "demo"}}).dataset_label
    assert dataset_shown(SessionStrings("en"), label) == label
    zh = dataset_shown(SessionStrings("zh"), label)
    assert zh != label and "演示" in zh
    assert dataset_shown(SessionStrings("zh"), "alpaca_en_demo.json") == "alpaca_en_demo.json"
