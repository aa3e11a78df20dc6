"""English messages: export (ids `export.*`): backend/export/ and backend/evaluation.py."""

EN: dict[str, str] = {
    # backend/export/adapter_zip.py
    "export.adapter_unfinished": "job {job} has no finished adapter ({missing} missing in {path}); only a succeeded "
                                 "job can be exported.",
    # backend/export/gguf_export.py
    "export.bad_quant": "`quant` must be one of {choices}, got {quant}.",
    "export.out_not_ours": "{path} already exists and is not an earlier merged export; the export replaces its "
                           "folder whole, so it would delete what is there. Give a new or empty folder (--out), or "
                           "leave --out out to write into the job's exports/ folder.",
    "export.gguf_arch": "GGUF export covers the Llama and Qwen2 families ({archs}); this model is {model_type}. Export "
                        "the merged model and convert it with llama.cpp's convert_hf_to_gguf.py.",
    "export.gguf_tensor_name": "no GGUF name for the tensor {tensor}; the model differs from the {arch} layout.",
    # backend/export/llama_cpp_tools.py, gguf_export.py (llama.cpp's converter and quantizer)
    "export.converter_env_bad": "LLAMA_CPP_DIR is {path}, which holds no llama.cpp converter (convert_hf_to_gguf.py, "
                                "conversion/, gguf-py/); point it at a llama.cpp checkout or unset it.",
    "export.converter_no_llama_cpp": "llama-cpp-python is not installed (pip install \"finetune-studio[gguf]\", which "
                                     "needs a C++ compiler and cmake), and LLAMA_CPP_DIR names no llama.cpp checkout",
    "export.converter_no_workspace": "no workspace to keep llama.cpp's converter in",
    "export.converter_not_asked": "the studio's writer was asked for",
    "export.converter_fetch_failed": "llama.cpp's converter could not be fetched (pip download llama-cpp-python=={version} "
                                     "--no-binary :all:): {reason}",
    "export.convert_failed": "llama.cpp's converter failed: {reason}",
    "export.gguf_arch_unsupported": "llama.cpp's converter does not know this model's architecture ({arch}, model "
                                    "type {model_type}), so no GGUF can be made of it. Export the merged model "
                                    "instead (`studio export {job} --to merged`) and run it with transformers or "
                                    "vLLM (`studio serve-model {job} --merged`).",
    "export.quant_needs_llama_cpp": "{quant} is made by llama.cpp's quantizer, which comes with llama-cpp-python: run "
                                    "`pip install \"finetune-studio[gguf]\"` (it compiles llama.cpp: a C++ compiler and "
                                    "cmake are needed), or export f16 or q8_0.",
    "export.kquant_needs_converter": "{quant} needs llama.cpp's converter and quantizer, and there is none: {reason}. "
                                     "Export f16 or q8_0 (the studio's writer), or install llama-cpp-python.",
    "export.quantize_failed": "llama.cpp's quantizer could not make {quant} (code {code}); see the lines above.",
    "export.gguf_pre_tokenizer": "llama.cpp knows this tokenizer by no hash; its pre-tokenizer was set to the "
                                 "architecture's ({pre}); the export's parity check (unless --no-parity) compares its token ids "
                                 "with the job's tokenizer.",
    "export.gguf_studio_writer": "written by the studio's writer: llama.cpp's converter not available: {reason}",
    # backend/export/parity*.py (the export parity check)
    "export.parity_prompt_same": "{n} prompts render identically ({source} vs the job's chat template)",
    "export.parity_prompt_differs": "{n} prompt(s) render differently in {source}; prompt {prompt}, character {at}: "
                                    "job {want} vs export {got}",
    "export.parity_prompt_ids_same": "{n} prompts give the same token ids ({source} tokenizer)",
    "export.parity_ids_differ": "{n} prompt(s) tokenize differently in {source}; prompt {prompt}, token {at}: "
                                "job {want} vs export {got}",
    "export.parity_stop_same": "end-of-turn tokens identical: {tokens}",
    "export.parity_stop_gguf": "eos {eos} as in the job; llama.cpp stops on {eog}",
    "export.parity_stop_differs": "end-of-turn tokens differ in {source}: job {want}, export {got}",
    "export.parity_greedy_same": "greedy continuations identical on {n} prompts (up to {tokens} tokens)",
    "export.parity_greedy_differs": "{n} of {total} greedy continuations differ; prompt {prompt} first at token {at}: "
                                    "job {want} vs export {got}",
    "export.parity_logits": "max |logit difference| {diff} (bound {tol})",
    "export.parity_logits_16bit": "max |logit difference| {diff}: the weights are {dtype} (the {tol} bound is for "
                                  "float32 exports)",
    "export.parity_next_tokens": "{share} of next tokens agree ({agree}/{total}, teacher-forced along the job's "
                                 "greedy replies); max |logit difference| {diff}",
    "export.parity_writer_llama": "llama.cpp's converter and quantizer ({quant}); tensor types: {types}. {note}",
    "export.parity_writer_studio": "{reason}; tensor types: {types}",
    "export.parity_no_llama_cpp": "llama-cpp-python is not installed, so the file was not loaded: pip install "
                                  "\"finetune-studio[gguf]\"",
    # backend/export/hub_push.py
    "export.push_unfinished": "job {job} has no finished adapter; only a succeeded job can be pushed.",
    "export.bad_repo_id": "{repo} is not a hub repository id; give it as `your-name/model-name`.",
    "export.no_token": "no Hugging Face token: pass --token, set HF_TOKEN, or log in once with `hf auth login`.",
    "export.hub_unreachable": "the Hugging Face Hub cannot be reached ({reason}); the folder to upload is ready at "
                              "{folder}: upload it later with `hf upload {repo} {folder}`.",
    # backend/export/merged.py
    "export.bad_dtype": "`dtype` must be one of {choices}, got {dtype}.",
    "export.nothing_to_merge": "the {method} method learns virtual tokens, not weights, so there is nothing to merge; "
                               "export the adapter zip instead.",
    "export.gguf_reward_model": "job {job} trained a reward model (stage rm): it scores replies with a one-output "
                                "head, which a GGUF file for llama.cpp or Ollama has no place for. Export it merged "
                                "(`--to merged`: a transformers sequence classifier) or as the adapter zip.",
    "export.merge_unfinished": "job {job} has no finished adapter in {path}; only a succeeded job can be exported.",
    "export.merge_needs_bnb": "job {job} trained on a 4-bit base (qlora); merging rebuilds that base with "
                              "bitsandbytes, which is not installed here. Run `pip install bitsandbytes` and export "
                              "again.",
    # backend/evaluation.py
    "export.eval_no_reference": "no conversation in the data ends with an assistant reply to compare with.",
    "export.eval_unfinished": "job {job} has no trained adapter yet; evaluate a succeeded job.",
    "export.eval_not_generative": "a {stage} job does not generate replies (a reward model scores them).",
    "export.eval_bad_rows": "`rows` must be at least 1, got {rows}.",
    # backend/export/parity_vision.py, gguf_export.py: vision-language jobs
    "export.parity_pixels_same": "{images} image(s) give the same pixel tensors ({source} image processor)",
    "export.parity_pixels_differ": "the {source} image processor gives other pixel tensors for prompt(s) {prompts}",
    "export.gguf_vision": "job {job} fine-tuned the vision-language model {model}. {reason}\nwhat to try: {hint}",
}
