"""English messages: export (ids `export.*`): backend/export/ and backend/evaluation.py."""

EN: dict[str, str] = {
    # backend/export/adapter_zip.py
    "export.adapter_unfinished": "job {job} has no finished adapter ({missing} missing in {path}); only a succeeded "
                                 "job can be exported.",
    # backend/export/gguf_export.py
    "export.bad_quant": "`quant` must be one of {choices}, got {quant}.",
    "export.gguf_arch": "GGUF export covers the Llama and Qwen2 families ({archs}); this model is {model_type}. Export "
                        "the merged model and convert it with llama.cpp's convert_hf_to_gguf.py.",
    "export.gguf_tensor_name": "no GGUF name for the tensor {tensor}; the model differs from the {arch} layout.",
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
    "export.merge_unfinished": "job {job} has no finished adapter in {path}; only a succeeded job can be exported.",
    "export.merge_needs_bnb": "job {job} trained on a 4-bit base (qlora); merging rebuilds that base with "
                              "bitsandbytes, which is not installed here. Run `pip install bitsandbytes` and export "
                              "again.",
    # backend/evaluation.py
    "export.eval_no_reference": "no conversation in the data ends with an assistant reply to compare with.",
    "export.eval_unfinished": "job {job} has no trained adapter yet; evaluate a succeeded job.",
    "export.eval_not_generative": "a {stage} job does not generate replies (a reward model scores them).",
    "export.eval_bad_rows": "`rows` must be at least 1, got {rows}.",
}
