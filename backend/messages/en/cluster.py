"""English messages: cluster (ids `cluster.*`): the Ray cluster backend (backend/cluster/)."""

EN: dict[str, str] = {
    # backend/launch/ (studio export-launch: Slurm and SkyPilot launch files)
    "cluster.launch_bad_count": "`--{option}` must be a whole number of at least 1, got {value}. Give it as e.g. "
                                "--{option} 1, or leave it out (GPUs and machines: the spec's distributed section).",
    "cluster.launch_control_chars": "`--{option}` holds a control character (a newline, a tab...): {value}. Give it "
                                    "on one line.",
    "cluster.launch_bad_time": "`--time` must be HH:MM:SS or D-HH:MM:SS (e.g. 04:00:00 or 1-12:00:00), got {value}.",
    "cluster.launch_bad_name": "`--name` may hold letters, digits, '.', '_' and '-' (up to 63, starting with a letter "
                               "or digit), got {value}.",
    "cluster.launch_bad_word": "`--{option}` may hold letters, digits and . _ , : + - only, got {value}. Give the "
                               "name the cluster uses (e.g. `sinfo` lists the partitions).",
    "cluster.launch_empty": "`--{option}` is empty; give a value or leave the option out.",
    "cluster.launch_bad_target": "`--to` must be one of {choices}, got {value}.",
    "cluster.launch_bad_spec": "the spec.yaml of job {job} is not a valid job spec ({error}); fix the job's spec "
                               "first.",
    "cluster.launch_local_paths": "the spec reads {paths} from this machine: the cluster must see them at the same "
                                  "path (shared storage, or the same workspace), or edit the spec in the launch file.",
    "cluster.launch_layout": "the spec trains on {spec_nodes} machine(s) x {spec_gpus} process(es); the launch file "
                             "asks for {nodes} x {gpus} GPU(s) and sets the distributed section to match, so a "
                             "step takes {after} rows instead of {before} (lower gradient_accumulation_steps or "
                             "raise the learning rate to make up for it).",
    "cluster.launch_not_skypilot": "`--{option}` is a Slurm option; the SkyPilot task has no such field and "
                                   "leaves it out.",
    "cluster.launch_written": "wrote {path}; run it with `{how}`.",
}
