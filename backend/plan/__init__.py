"""Planning a job without torch, for the wizard's Review and the monitor, and for the worker's own choices:
the memory estimate (estimate.py), the parameter counts (param_count.py), how batches pass through the model
(batches.py), what this machine has (hardware.py), the presets (presets.py) and the advice read from a
run's curve (advice.py). Below backend/training/: the trainers import these answers, never the other way."""
