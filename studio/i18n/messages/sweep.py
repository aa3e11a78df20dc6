"""Chinese (simplified) for the backend's `sweep.*` messages (English: backend/messages/en/sweep.py)."""

ZH: dict[str, str] = {
    "sweep.problems": "sweep: 部分无效：\n{problems}",
    "sweep.not_a_mapping": "sweep: 必须是映射（method、parameters、trials 等），实际为 {got}。",
    "sweep.unknown_key": "sweep.{key} 不是超参搜索的设置；可用：{accepted}。",
    "sweep.bad_method": "sweep.method {value!r} 不是可用的方法；请用其中之一：{accepted}。",
    "sweep.bad_metric": "sweep.metric {value!r} 不是可用的指标；请用其中之一：{accepted}（都取最小）。",
    "sweep.bad_early_stop": "sweep.early_stop {value!r} 不是可用的规则；请用其中之一：{accepted}。",
    "sweep.bad_whole_number": "sweep.{key} 必须是不小于 {low} 的整数，实际为 {value}。",
    "sweep.no_parameters": "sweep.parameters 为空：请至少写一个配置字段及其取值，例如 "
                           "training.learning_rate: [1e-4, 5e-4]。",
    "sweep.bad_path": "sweep.parameters：{path} 不是配置字段{hint}（字段路径形如 {example}；"
                      "`studio fields` 会列出全部字段）。",
    "sweep.bad_values": "sweep.parameters.{path} 必须是取值列表（random/tpe 也可以是范围 "
                        "{{low, high, log, step}}），实际为 {value}。",
    "sweep.range_in_grid": "sweep.parameters.{path}：范围只能用于 random 或 tpe；grid 需要取值列表。",
    "sweep.bad_range": "sweep.parameters.{path}：{value} 不是有效范围：需要 low < high（数字），可选 "
                       "log: true（low 大于 0）或 step。",
    "sweep.bad_value": "sweep.parameters.{path}：取值 {value} 不被接受：{reason}",
    "sweep.repeated_value": "sweep.parameters.{path} 中有重复的取值；每个取值只写一次。",
    "sweep.too_many_trials": "这次搜索有 {trials} 个试验；最多运行 {most} 个：请减少取值或试验数。",
    "sweep.bad_id": "{sweep} 不是搜索 ID（只能包含字母、数字、'-' 和 '_'）。",
    "sweep.no_sweep": "{folder} 中没有搜索 {sweep}；`studio sweep --show` 会列出全部搜索。",
    "sweep.no_section": "{file} 没有 sweep: 部分：请添加（method、parameters），或用 `studio train` 训练。",
    "sweep.stopped_early": "已提前停止：第 {step} 步的验证损失 {value} 高于之前运行的中位数 {median}",
    "sweep.use_sweep_command": "{file} 含有 sweep: 部分：请用 `studio sweep {file}` 运行（每次运行都经过队列），"
                               "或删掉该部分以训练单个任务。",
}
