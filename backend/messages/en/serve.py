"""English messages: serve (ids `serve.*`): the OpenAI-compatible model server (backend/serve/)."""

EN: dict[str, str] = {
    # backend/serve/targets.py: which jobs can be served
    "serve.no_job": "no job {job} in {folder}; `studio jobs list` shows the job ids.",
    "serve.not_succeeded": "job {job} is {state}; only a succeeded job can be served. Wait for it to finish, or "
                           "resume it (`studio jobs resume {job}`) and serve it once it has succeeded.",
    "serve.no_merged": "job {job} has no merged export to serve; make one with `studio export {job} --to merged`, "
                       "or serve the adapter (leave out --merged).",
    "serve.gguf_outside": "{path} is not inside the job's exports folder {folder}; only the job's own GGUF exports "
                          "are served.",
    "serve.no_gguf": "no GGUF file {path} in job {job}'s exports; make one with `studio export {job} --to gguf`.",
    "serve.gguf_one_job": "a GGUF file is one job's model: give one job with --gguf, not {count}.",
    "serve.vision_engine": "job {job} fine-tuned a vision-language model, which the {engine} engine here does not "
                           "serve; use --engine transformers (or auto), or export it merged (`studio export {job} "
                           "--to merged`) and serve that folder with vLLM itself (`vllm serve FOLDER`).",
    "serve.vision_and_text": "a vision-language job and a text job cannot share one server: {jobs}. Start one server "
                             "for each (each on its own --port).",
    "serve.different_bases": "these jobs do not share one base model, so one server cannot hold them: {jobs}. Start "
                             "one server per base (each on its own --port).",
    # backend/serve/engines.py: which engine
    "serve.bad_engine": "`engine` must be one of {choices}, got {engine}.",
    "serve.gguf_needed": "the llama.cpp engine serves a GGUF file: give one with --gguf (a file in the job's "
                         "exports, made by `studio export JOB --to gguf`).",
    "serve.no_llamacpp": "llama-cpp-python is not installed, and it runs GGUF files: `pip install "
                         "llama-cpp-python`, or serve the job without --gguf (transformers).",
    "serve.gguf_engine": "a GGUF file is served by llama.cpp, not {engine}: use --engine llamacpp (or auto).",
    "serve.no_vllm": "vLLM needs a CUDA GPU and `pip install vllm`, and this machine lacks one or the other; use "
                     "--engine transformers (or auto, which picks what runs here).",
    # studio/cli/serve_model.py
    "serve.port_in_use": "port {port} on {host} is already in use; pick another port (--port) or stop what runs "
                         "there.",
    "serve.bad_address": "cannot listen on {host}:{port} ({error}); check --host and --port.",
    "serve.load_failed": "the model could not be loaded ({type}: {error}).",
    "serve.open_without_key": "listening on {host} without an API key: anyone who can reach this machine can use the "
                              "model. Add --api-key (or set STUDIO_API_KEY).",
    # backend/serve/app.py: the API's errors (the OpenAI error object's message)
    "serve.unknown_model": "The model `{model}` does not exist on this server. Models served: {models}.",
    "serve.images_text_model": "The model `{model}` reads text only and cannot see the image in messages[{index}]; "
                               "send text, or serve a vision-language job.",
    "serve.image_not_data_url": "messages[{index}]: the image is given as {given}; this server reads images sent "
                                "inline only, as a data URL (`data:image/png;base64,...`), and fetches nothing.",
    "serve.image_bad": "messages[{index}]: the image cannot be read ({error}); send a JPEG, PNG or WebP file as a "
                       "base64 data URL.",
    "serve.image_not_base64": "messages[{index}]: the data URL's payload is not base64 ({error}); send the image "
                              "file's bytes base64-encoded after `;base64,`.",
    "serve.image_unknown": "messages[{index}]: the data URL holds {size} bytes that are no image Pillow can read; "
                           "send a JPEG, PNG or WebP file as a base64 data URL.",
    "serve.image_too_big": "messages[{index}]: the image is {size} MB; at most {limit} MB per image.",
    "serve.image_too_many_pixels": "messages[{index}]: the image is {width}x{height} pixels; at most {limit} pixels.",
    "serve.empty_messages": "`messages` is empty: give at least one message, e.g. "
                            "[{{\"role\": \"user\", \"content\": \"Hello\"}}].",
    "serve.bad_role": "messages[{index}] has the role {role}; a role is one of system, user, assistant, tool.",
    "serve.bad_content": "messages[{index}].content must be a string (or a list of text parts).",
    "serve.template_refused": "the job's chat template refused these messages: {error}",
    "serve.unsupported": "this server does not support `{param}` (tool calls, JSON or schema-bound replies and log "
                         "probabilities are not implemented); leave it out and ask for the format in the messages.",
    "serve.only_one_choice": "this server returns one choice per request; `n` must be 1, got {n}.",
    "serve.bad_stop": "`stop` takes up to 4 non-empty strings.",
    "serve.one_prompt": "this server takes one prompt per request, got {count}.",
    "serve.empty_prompt": "`prompt` is empty.",
    "serve.context_length": "This model's maximum context length is {limit} tokens. However, your {field} resulted "
                            "in {tokens} tokens. Please reduce the length of the {field}.",
    "serve.bad_json": "We could not parse the JSON body of your request ({error}). Send a JSON object.",
    "serve.bad_field": "invalid value for `{field}`: {error}",
    "serve.body_not_object": "the request body must be one JSON object, such as {{\"model\": \"JOB_ID\", "
                            "\"messages\": [...]}}, sent with `Content-Type: application/json` (curl: -H "
                            "'Content-Type: application/json'); this request's Content-Type: {content_type}.",
    "serve.no_route": "no route {method} {path}; this server answers /v1/models, /v1/chat/completions and "
                      "/v1/completions.",
    "serve.no_api_key": "You didn't provide an API key. Send it as `Authorization: Bearer KEY` (the key the server "
                        "was started with).",
    "serve.wrong_api_key": "Incorrect API key provided.",
    "serve.engine_failed": "the model failed to generate ({type}: {error}).",
}
