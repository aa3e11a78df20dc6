"""English messages: spec (ids `spec.*`)."""

EN: dict[str, str] = {
    # backend/spec/checks.py: a problem, the list of them, and the generic checks
    "spec.issue": "`{field}`: {message}",
    "spec.issues": "{issues}",
    "spec.did_you_mean": " Did you mean `{name}`?",
    "spec.unknown_field": "is not a known field.{hint} Accepted: {accepted}.",
    "spec.must_be": "must be {accepted}, got {value}.",
    "spec.is_empty": "is empty; give {accepted}.",
    "spec.not_a_choice": "got {value}; accepted: {choices}.",
    "spec.kind_text": "text",
    "spec.kind_number": "a number",
    "spec.kind_whole_number": "a whole number",
    "spec.kind_bool": "true or false",
    "spec.kind_list": "a list",
    "spec.kind_mapping": "a mapping",
    # backend/spec/job.py: reading a spec
    "spec.not_a_mapping": "a spec must be a mapping of sections, got {got}.",
    "spec.section_not_a_mapping": "must be a mapping of fields, got {value}.",
    "spec.not_yaml": "the text is not valid YAML: {error}",
    "spec.yaml_at": "line {line}, column {column} (`{text}`): {problem}. Check the indentation there (spaces, not "
                    "tabs; each field indented under its section as the lines above it), that each field reads "
                    "`name: value`, and that every `{{`, `[` or quote opened above is closed.",
    "spec.override_form": "an override looks like `training.max_steps=10`.",
    "spec.override_inside_value": "cannot set a field inside a plain value.",
    # backend/spec/job.py: what a field accepts ("must be ...", "is empty; give ...")
    "spec.accept_model": "`demo`, a local folder or a hub id",
    "spec.accept_train": "`demo`, a file or folder path, a hub id or a dataset_info.json entry",
    "spec.accept_whole_range": "a whole number from {low} to {high}",
    "spec.accept_number_range": "a number from {low} to {high}",
    "spec.accept_whole_at_least": "a whole number of at least {low}",
    "spec.accept_positive": "a positive number such as {example}, at most {high}",
    "spec.accept_target_modules": "`all-linear` or a list like `q_proj,v_proj`",
    "spec.accept_epochs": "a positive number of epochs",
    "spec.accept_max_steps": "0 (use num_epochs) or a positive whole number",
    "spec.accept_tokens_per_pass": "-1, 0 (automatic) or a number of tokens",
    "spec.accept_max_length": "a whole number of tokens from 8 to 1048576",
    "spec.accept_share": "a share from 0 to 0.5",
    "spec.accept_grad_norm": "a non-negative number (0 = no clipping)",
    "spec.accept_save_steps": "0 (by time only) or a whole number",
    "spec.accept_save_minutes": "0 (off) or a positive number of minutes",
    "spec.accept_eval_steps": "0 or a whole number",
    "spec.accept_patience": "0 (off) or a whole number of evaluations such as 3",
    "spec.accept_min_delta": "a non-negative number such as 0 or 0.01",
    "spec.accept_cpu_threads": "0 (automatic) or a whole number of threads",
    "spec.accept_memory_limit": "0 (what the machine has left) or a number of GB such as 24",
    "spec.accept_dataloader_workers": "-1 (automatic), 0 (in the training process) or a number of processes up to 64",
    "spec.accept_freeze_layers": "a whole number of layers of at least 1",
    "spec.accept_weight": "a positive weight",
    "spec.accept_tokens": "a whole number of tokens",
    # backend/spec/job.py: the rules of what fits together
    "spec.no_length": "is 0 while `training.max_steps` is 0: set one of them.",
    "spec.padding_free_prompt_method": "cannot be used with {method}: its virtual tokens ignore position ids, so "
                                       "joined rows would see each other. Turn padding_free off.",
    "spec.formats_not_a_list": "must be a list such as [adapter], got {value}.",
    "spec.adalora_init_below_target": "({init}) must be at least adalora_target_r ({target}).",
    "spec.rewards_not_a_mapping": "must be a mapping like {{exact_match: 1.0}}, got {value}.",
    "spec.reward_weight_not_a_number": "the weight must be a number, got {value}.",
    "spec.grpo_needs_reward": "grpo needs at least one reward with a weight other than 0.",
    "spec.early_stopping_needs_eval": "early stopping watches the eval loss: set `data.eval_split` (e.g. 0.1) or "
                                      "`data.eval`, or set this to 0.",
    "spec.bad_eval_split": "must be a share from 0 to 0.5 or a whole count of rows, got {value}.",
    "spec.mix_not_a_list": "must be a list with one number per dataset, got {value}.",
    "spec.mix_count": "has {values} values for {datasets} dataset(s) in `data.train`; give one each.",
    "spec.bad_mix_value": "value {value} is neither a share (0-1] nor a whole row count.",
    "spec.not_a_mapping_like": "must be a mapping like {example}, got {value}.",
    "spec.value_not_text": "must be text, got {value}; a value with ': ' in it needs quotes, e.g. "
                           "--set '{field}=\"Aurora: the AI\"'.",
    # backend/spec/stages.py: a stage refused here
    "spec.rm_prompt_methods": "a reward model scores with a classification head; prompt-based methods only learn "
                              "virtual tokens for generation. Use lora, full or freeze.",
    "spec.ppo_removed": "TRL 1.16 no longer ships PPO (it was removed from the library); use grpo, which needs no "
                        "separate reward or value model, or stay with the release of TRL that has it.",
    # backend/spec/distributed.py
    "spec.accept_num_processes": "a whole number of processes per machine of at least 1 (one per GPU)",
    "spec.accept_num_machines": "a whole number of machines of at least 1",
    "spec.accept_machine_rank": "0 (the main machine) or a higher number",
    "spec.accept_port": "a TCP port from 1 to 65535",
    "spec.main_ip_missing": "is empty while `distributed.num_machines` is {machines}: give the address of machine 0 "
                            "(e.g. 10.0.0.1), which every machine can reach.",
    "spec.machine_rank_too_high": "is {rank}, but the machines are numbered 0 to {last} (`distributed.num_machines` "
                                  "is {machines}).",
    "spec.sharded_on_cpu": "{strategy} needs GPUs, and `training.device` is cpu: on a CPU accelerate runs only ddp "
                           "(over gloo). Pick ddp, or train on GPUs.",
}
