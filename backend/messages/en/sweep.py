"""English messages: sweep (ids `sweep.*`): sweeps (backend/sweep/)."""

EN: dict[str, str] = {
    # backend/sweep/spec.py: the `sweep:` section
    "sweep.problems": "the sweep: section is not valid:\n{problems}",
    "sweep.not_a_mapping": "sweep: must be a mapping (method, parameters, trials, ...), got {got}.",
    "sweep.unknown_key": "sweep.{key} is not a sweep setting; accepted: {accepted}.",
    "sweep.bad_method": "sweep.method {value!r} is not a method; use one of: {accepted}.",
    "sweep.bad_metric": "sweep.metric {value!r} is not a metric; use one of: {accepted} (both minimized).",
    "sweep.bad_early_stop": "sweep.early_stop {value!r} is not a rule; use one of: {accepted}.",
    "sweep.bad_whole_number": "sweep.{key} must be a whole number of at least {low}, got {value}.",
    "sweep.no_parameters": "sweep.parameters is empty: name at least one spec field and its values, e.g. "
                           "training.learning_rate: [1e-4, 5e-4].",
    "sweep.bad_path": "sweep.parameters: {path} is not a spec field{hint} (a field path such as {example}; "
                      "`studio fields` lists them all).",
    "sweep.bad_values": "sweep.parameters.{path} must be a list of values (or, for random/tpe, a range "
                        "{{low, high, log, step}}), got {value}.",
    "sweep.range_in_grid": "sweep.parameters.{path}: a range needs method random or tpe; a grid needs a list of values.",
    "sweep.bad_range": "sweep.parameters.{path}: {value} is not a range: give low < high (numbers), optionally "
                       "log: true (low above 0) or step.",
    "sweep.bad_value": "sweep.parameters.{path}: the value {value} is not accepted: {reason}",
    "sweep.repeated_value": "sweep.parameters.{path} lists a value twice; give each value once.",
    "sweep.too_many_trials": "the sweep has {trials} trials; at most {most} are run: fewer values or trials.",
    "sweep.bad_id": "{sweep} is not a sweep id (letters, digits, '-' and '_').",
    "sweep.no_sweep": "no sweep {sweep} in {folder}; `studio sweep --show` lists them.",
    "sweep.no_section": "{file} has no sweep: section: add one (method, parameters) or run it with `studio train`.",
    # backend/sweep/controller.py
    "sweep.stopped_early": "stopped early: eval loss {value} at step {step} above the median {median} of earlier runs",
    # studio/cli/train.py: a spec with a sweep: section
    "sweep.use_sweep_command": "{file} has a sweep: section: run it with `studio sweep {file}` (each run goes "
                               "through the queue), or remove the section to train one job.",
}
