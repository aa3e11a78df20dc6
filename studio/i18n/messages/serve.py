"""Chinese (simplified) for the backend's `serve.*` messages (English: backend/messages/en/serve.py)."""

ZH: dict[str, str] = {
    # backend/serve/targets.py
    "serve.no_job": "{folder} 中没有任务 {job}；用 `studio jobs list` 查看任务 ID。",
    "serve.not_succeeded": "任务 {job} 的状态是 {state}；只有成功完成的任务才能部署。请等它完成，或先继续训练"
                           "（`studio jobs resume {job}`），成功后再部署。",
    "serve.no_merged": "任务 {job} 没有可部署的合并模型；先用 `studio export {job} --to merged` 导出，"
                       "或直接部署适配器（不加 --merged）。",
    "serve.gguf_outside": "{path} 不在该任务的导出文件夹 {folder} 内；只能部署任务自己导出的 GGUF 文件。",
    "serve.no_gguf": "任务 {job} 的导出中没有 GGUF 文件 {path}；先用 `studio export {job} --to gguf` 导出。",
    "serve.gguf_one_job": "一个 GGUF 文件只属于一个任务：使用 --gguf 时只能指定一个任务，而不是 {count} 个。",
    "serve.vision_engine": "任务 {job} 微调的是视觉语言模型，此处的 {engine} 引擎不支持它；请使用 --engine transformers（或 "
                           "auto），或将其合并导出（`studio export {job} --to merged`）后直接用 vLLM 部署该文件夹"
                           "（`vllm serve FOLDER`）。",
    "serve.vision_and_text": "视觉语言任务和文本任务不能共用一个服务：{jobs}。请为每个任务分别启动服务（各用自己的 --port）。",
    "serve.images_text_model": "模型 `{model}` 只读文字，看不到 messages[{index}] 中的图片；请只发送文字，或部署视觉语言任务。",
    "serve.image_not_data_url": "messages[{index}]：图片以 {given} 的形式给出；本服务只读取内嵌发送的图片，即 data URL"
                                "（`data:image/png;base64,...`），不会去下载任何内容。",
    "serve.image_bad": "messages[{index}]：无法读取该图片（{error}）；请以 base64 data URL 发送 JPEG、PNG 或 WebP 文件。",
    "serve.image_not_base64": "messages[{index}]：data URL 的内容不是 base64（{error}）；请在 `;base64,` 之后放入图片"
                              "文件经 base64 编码的字节。",
    "serve.image_unknown": "messages[{index}]：data URL 中的 {size} 字节不是 Pillow 能读取的图片；请以 base64 data URL "
                           "发送 JPEG、PNG 或 WebP 文件。",
    "serve.image_too_big": "messages[{index}]：图片大小为 {size} MB；每张图片最多 {limit} MB。",
    "serve.image_too_many_pixels": "messages[{index}]：图片为 {width}x{height} 像素；最多 {limit} 像素。",
    "serve.different_bases": "这些任务的基础模型不同，无法放在同一个服务里：{jobs}。请为每个基础模型各启动一个服务"
                             "（各用不同的 --port）。",
    # backend/serve/engines.py
    "serve.bad_engine": "`engine` 必须是 {choices} 之一，实际为 {engine}。",
    "serve.gguf_needed": "llama.cpp 引擎用于运行 GGUF 文件：请用 --gguf 指定一个（任务导出文件夹中由 "
                         "`studio export JOB --to gguf` 生成的文件）。",
    "serve.no_llamacpp": "未安装 llama-cpp-python，而运行 GGUF 文件需要它：`pip install llama-cpp-python`，"
                         "或不加 --gguf 部署该任务（使用 transformers）。",
    "serve.gguf_engine": "GGUF 文件由 llama.cpp 运行，而不是 {engine}：请使用 --engine llamacpp（或 auto）。",
    "serve.no_vllm": "vLLM 需要 CUDA GPU 并执行 `pip install vllm`，本机缺少其中之一；请使用 --engine transformers"
                     "（或 auto，它会选择本机能运行的引擎）。",
    # studio/cli/serve_model.py
    "serve.port_in_use": "{host} 上的端口 {port} 已被占用；请换一个端口（--port），或停止占用它的程序。",
    "serve.bad_address": "无法在 {host}:{port} 上监听（{error}）；请检查 --host 和 --port。",
    "serve.load_failed": "无法加载模型（{type}：{error}）。",
    "serve.open_without_key": "正在 {host} 上监听且未设置 API 密钥：任何能访问本机的人都能使用该模型。请加上 --api-key"
                              "（或设置 STUDIO_API_KEY）。",
    # backend/serve/app.py
    "serve.unknown_model": "此服务上没有模型 `{model}`。可用的模型：{models}。",
    "serve.empty_messages": "`messages` 为空：请至少提供一条消息，例如 "
                            "[{{\"role\": \"user\", \"content\": \"你好\"}}]。",
    "serve.bad_role": "messages[{index}] 的角色是 {role}；角色必须是 system、user、assistant、tool 之一。",
    "serve.bad_content": "messages[{index}].content 必须是字符串（或文本片段列表）。",
    "serve.template_refused": "该任务的对话模板不接受这些消息：{error}",
    "serve.unsupported": "此服务器不支持 `{param}`（未实现工具调用、JSON 或按模式约束的回复以及对数概率）；请去掉它，"
                         "并在消息中说明想要的格式。",
    "serve.only_one_choice": "此服务每个请求只返回一个结果；`n` 必须为 1，实际为 {n}。",
    "serve.bad_stop": "`stop` 最多接受 4 个非空字符串。",
    "serve.one_prompt": "此服务每个请求只接受一个提示，实际收到 {count} 个。",
    "serve.empty_prompt": "`prompt` 为空。",
    "serve.context_length": "此模型的最大上下文长度为 {limit} 个 token，而你的 {field} 有 {tokens} 个 token。"
                            "请缩短 {field}。",
    "serve.bad_json": "无法解析请求的 JSON 内容（{error}）。请发送一个 JSON 对象。",
    "serve.bad_field": "`{field}` 的值无效：{error}",
    "serve.body_not_object": "请求体必须是一个 JSON 对象，例如 {{\"model\": \"JOB_ID\", \"messages\": [...]}}，"
                            "并以 `Content-Type: application/json` 发送（curl：-H 'Content-Type: application/json'）；"
                            "本次请求的 Content-Type：{content_type}。",
    "serve.no_route": "没有 {method} {path} 这个接口；此服务提供 /v1/models、/v1/chat/completions 和 "
                      "/v1/completions。",
    "serve.no_api_key": "未提供 API 密钥。请以 `Authorization: Bearer KEY` 发送（服务启动时设定的密钥）。",
    "serve.wrong_api_key": "API 密钥不正确。",
    "serve.engine_failed": "模型生成失败（{type}：{error}）。",
}
