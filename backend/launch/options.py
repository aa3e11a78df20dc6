"""What a launch file asks the cluster for (`studio export-launch` options), checked before anything is written.

    opts = LaunchOptions(gpus=4, nodes=2, time="04:00:00").checked()   # or LaunchFileError naming the option

Every string goes into a shell script or a YAML file, so control characters (a newline would start a new
line of the script) are refused outright, names are kept to the characters Slurm and SkyPilot take, and
everything else is shell-quoted where it is used (backend/launch/script.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from backend.messages import msg

TARGETS = ("slurm", "skypilot")
DEFAULT_WORKSPACE = "~/.finetune-studio"  # the studio's own default: on a shared home the runs show on its Runs page
DEFAULT_PIP = "finetune-studio"
DEFAULT_GPU_TYPE = "H100"  # SkyPilot needs a GPU name; Slurm takes any GPU unless --gpu-type names one
_TIME = re.compile(r"^(?:(\d{1,3})-)?(\d{1,3}):([0-5]\d):([0-5]\d)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._,:+-]{0,127}$")  # a partition, account or GPU type
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class LaunchFileError(ValueError):
    """A launch file cannot be made as asked; the message names the option and what to give."""


@dataclass(frozen=True)
class LaunchOptions:
    gpus: int | None = None  # per machine; default: the spec's distributed.num_processes
    nodes: int | None = None  # default: the spec's distributed.num_machines
    gpu_type: str | None = None
    cpus: int | None = None  # per machine (the one task there)
    mem_gb: int | None = None  # per machine
    time: str | None = None  # Slurm: HH:MM:SS or D-HH:MM:SS
    partition: str | None = None  # Slurm
    account: str | None = None  # Slurm
    workdir: str = DEFAULT_WORKSPACE  # the workspace on the cluster (STUDIO_WORKSPACE there)
    venv: str | None = None  # Slurm: a virtual environment with finetune-studio, activated first
    pip: str = DEFAULT_PIP  # SkyPilot setup: what `pip install` installs
    name: str | None = None  # the cluster job's name; default studio-JOB

    def checked(self) -> LaunchOptions:
        for option, value in (("gpus", self.gpus), ("nodes", self.nodes), ("cpus", self.cpus),
                              ("mem-gb", self.mem_gb)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise LaunchFileError(msg("cluster.launch_bad_count", option=option, value=repr(value)))
        for option, value in (("gpu-type", self.gpu_type), ("time", self.time), ("partition", self.partition),
                              ("account", self.account), ("workdir", self.workdir), ("venv", self.venv),
                              ("pip", self.pip), ("name", self.name)):
            if value is not None and (not isinstance(value, str) or _CONTROL.search(value)):
                raise LaunchFileError(msg("cluster.launch_control_chars", option=option, value=repr(value)))
        if self.time is not None and not _TIME.match(self.time):
            raise LaunchFileError(msg("cluster.launch_bad_time", value=repr(self.time)))
        if self.name is not None and not _NAME.match(self.name):
            raise LaunchFileError(msg("cluster.launch_bad_name", value=repr(self.name)))
        for option, value in (("gpu-type", self.gpu_type), ("partition", self.partition), ("account", self.account)):
            if value is not None and not _WORD.match(value):
                raise LaunchFileError(msg("cluster.launch_bad_word", option=option, value=repr(value)))
        for option, value in (("workdir", self.workdir), ("pip", self.pip)):
            if not str(value).strip():
                raise LaunchFileError(msg("cluster.launch_empty", option=option))
        return self

    def for_spec(self, spec) -> LaunchOptions:
        """The options with the machine and GPU counts the spec's `distributed` section gives, where not set."""
        d = spec.distributed
        return replace(self, gpus=self.gpus or d.num_processes, nodes=self.nodes or d.num_machines)
