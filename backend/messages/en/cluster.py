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
    # backend/cluster/connect.py
    "cluster.no_ray": "A cluster ({address}) is configured but ray is not installed here. Install it with "
                      "`pip install 'finetune-studio[cluster]'`, or turn the cluster off: `--cluster off`, unset "
                      "STUDIO_CLUSTER, or set \"cluster\": \"off\" in the workspace's settings.json.",
    "cluster.unreachable": "Cannot reach the Ray cluster at {address} ({error}). Start one with `ray start --head` "
                           "(then `--cluster auto` or its address HOST:6379), check the address and that this "
                           "machine can reach it, or turn the cluster off: `--cluster off`, unset STUDIO_CLUSTER, or "
                           "set \"cluster\": \"off\" in the workspace's settings.json.",
    "cluster.bad_settings": "{path} cannot be read ({error}). Fix it or delete it (it holds the cluster address, "
                            "e.g. {{\"cluster\": \"127.0.0.1:6379\"}}).",
    # backend/cluster/dispatch.py
    "cluster.how_actor_died": "was lost with its Ray worker ({error})",
    "cluster.no_job_folder": "The cluster node {host} ({node}) does not see the job's folder {folder}.",
    "cluster.no_job_folder_hint": "Every node must see the workspace at the same path (an NFS or shared disk "
                                  "mounted there): put the workspace on shared storage (--workspace or "
                                  "STUDIO_WORKSPACE), or run without the cluster.",
    "cluster.runner_failed": "The job could not start on the cluster node {host}: {error}",
    "cluster.runner_failed_hint": "Each node needs this project and its libraries at the same path as here "
                                  "(the same virtual environment); see the log of the Ray worker on that node.",
    "cluster.too_big": "The job asks for {cpus} CPUs and {gpus} GPUs; the whole cluster has {have_cpus} CPUs and "
                       "{have_gpus} GPUs.",
    "cluster.too_big_hint": "Lower distributed.num_processes or training.cpu_threads, set training.device to cpu "
                            "on a cluster without GPUs, or add nodes to the cluster.",
}
