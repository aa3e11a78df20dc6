"""The Review step's "Try several values": the panel's entries as a `sweep:` section, or what is missing."""

from backend.spec import JobSpec
from backend.sweep.spec import SweepSpec
from studio.i18n.tables import EN
from studio.wizard.sweep_panel import section_of


def test_entries_become_a_valid_sweep_section():
    section = section_of(EN, ["training.learning_rate", "method.lora_r", None], ["5e-4, 2e-3", "4,8", ""],
                         "grid", 6, True)
    assert section == {"method": "grid", "early_stop": "median",
                       "parameters": {"training.learning_rate": [5e-4, 2e-3], "method.lora_r": [4, 8]}}
    base = JobSpec.from_dict({"model": {"name_or_path": "demo"}, "data": {"train": "demo"}})
    assert SweepSpec.from_dict(section, base).trials == 4
    assert section_of(EN, ["method.lora_r"], ["4, 8"], "tpe", 5, False)["trials"] == 5


def test_nothing_picked_says_so():
    assert section_of(EN, [None, "method.lora_r"], ["1", ""], "grid", 6, True) == EN["sweep.nothing"]


def test_runs_below_one_name_the_box():
    """The box once refused 0 through gradio ("Value 0 is less than minimum value 1.", no box named) and read an empty
    box as 6 unasked."""
    for trials, shown in ((0, "0"), (-2, "-2"), (None, "—")):
        assert section_of(EN, ["method.lora_r"], ["4, 8"], "random", trials, False) == EN["sweep.bad_trials"].format(
            value=shown)
    assert section_of(EN, ["method.lora_r"], ["4, 8"], "grid", 0, False)["parameters"]  # a grid runs every point
