"""English messages: rows (ids `rows.*`): a dataset's format (backend/data/detect.py, formats.py), its rows
and turns (turns.py), and what each training stage takes (stage_data.py; the stages' `detail`)."""

EN: dict[str, str] = {
    # detect.py: the formats, in words (the Data step's format line)
    "rows.format_alpaca": "instruction / input / output (optional system, history)",
    "rows.format_sharegpt": "conversations of {{from, value}} turns (custom tags allowed)",
    "rows.format_messages": "OpenAI-style messages of {{role, content}}",
    "rows.format_preference": "a prompt with a chosen and a rejected reply (rm, dpo, orpo)",
    "rows.format_kto": "a prompt and one reply labelled desirable or not (kto)",
    "rows.format_text": "plain text documents (continued pretraining)",
    "rows.format_prompt": "prompts with an optional reference answer (grpo)",
    # detect.py: why a format was detected
    "rows.reason_label_ignored": "{reason}; the `{column}` column is not taken as a kto label, as it holds {value}, "
                                 "not only true or false (for the kto stage, make every label true or false)",
    "rows.reason_label_mostly_empty": "{reason}; the `{column}` column is not taken as a kto label, as {n} of the "
                                      "first {rows} rows have no value in it (for the kto stage, give every row "
                                      "`{column}`: true or false)",
    "rows.reason_kto_unlabelled": "{reason}; {n} of the first {rows} rows have no true/false `{column}` (rows {first}): they "
                                  "are skipped, listed below; set each one's `{column}` to true or false to use them",
    "rows.reason_half_pair": "{reason}; the `{column}` column has no `{missing}` column beside it, so the rows are "
                              "not read as preference pairs (add `{missing}`, or map its column: `{missing}=<column>`)",
    "rows.reason_mixed": "{reason} ({odd} of the first {rows} rows have other columns, e.g. {example})",
    "rows.form_alpaca_style": "alpaca-style",
    "rows.form_implicit_prompt": "implicit prompt",
    "rows.reason_preference": "rows have `{chosen}` and `{rejected}` replies ({form})",
    "rows.reason_kto": "rows have `{column}` and a true/false `{label}`",
    "rows.reason_turns": "rows have a `{column}` list of {keys} turns",
    "rows.reason_alpaca": "rows have `instruction` and `output` fields",
    "rows.reason_prompt_reply": "rows have a prompt (`{prompt}`) and a reply (`{response}`): read as alpaca",
    "rows.reason_prompt_reference": "rows have a prompt (`{prompt}`) and a reference answer (`{reference}`)",
    "rows.reason_prompts_only": "rows have a prompt (`{prompt}`) and no reply: prompts only",
    "rows.reason_text": "rows have one text column (`{column}`): plain documents",
    "rows.reason_unknown": "cannot tell the format from the columns {columns}; map the columns (which one is the "
                           "prompt, which the reply) or choose a format",
    # formats.py: the format the user chose or mapped
    "rows.unknown_format": "{name}: unknown format {format}; accepted: {accepted}.",
    "rows.reason_from_mapping": "the columns tell no format, but your mapping ({pairs}) fits {format}",
    "rows.chosen_by_you": "chosen by you",
    "rows.chosen_agrees": "chosen by you (detection agrees: {reason})",
    "rows.reason_mapped": "{reason}; columns mapped by you: {pairs}",
    "rows.no_format": "{name}: {reason}.",
    "rows.missing_role_column": "{name}: format {format} needs a column for {roles}; the file has {columns}. "
                                "Map the columns (e.g. {role}=<column>).",
    "rows.no_rows": "{name}: has no rows.",
    # formats.py: a row that cannot be read
    "rows.row_not_object": "is a {type}, not an object with fields",
    "rows.row_missing_column": "'{column}' is missing (this row has {columns}; the file is read as {format})",
    "rows.history_not_list": "'{column}' must be a list of [question, answer] pairs",
    "rows.history_item_not_pair": "'{column}' item {item} is not a [question, answer] pair",
    "rows.prompt_and_query_empty": "'{prompt}' and '{query}' are both empty",
    "rows.no_prompt_column": " is empty",
    "rows.column_empty": "'{column}' is empty",
    "rows.reply_not_assistant": "'{column}' holds a non-assistant turn; give only the reply",
    "rows.no_shared_prompt": "'{chosen}' and '{rejected}' share no prompt turns",
    "rows.same_reply": "'{chosen}' and '{rejected}' are the same reply",
    "rows.label_not_bool": "'{column}' is {value}; set it to true (a reply to learn from) or false (one to avoid)",
    "rows.label_missing": "'{column}' is missing; add `\"{column}\": true` (a reply to learn from) or false "
                          "(one to avoid)",
    # turns.py: a cell, a tool list, a turn
    "rows.text_is_bool": "'{column}' is true/false, expected text",
    "rows.turn_text_is_bool": "{where} is true/false, expected text",
    "rows.text_part": "'{column}' holds a {part} part; only text is supported",
    "rows.turn_text_part": "{where} holds a {part} part; only text is supported",
    "rows.text_part_untyped": "'{column}' holds a 'non-text' part; only text is supported",
    "rows.turn_text_part_untyped": "{where} holds a 'non-text' part; only text is supported",
    "rows.text_wrong_type": "'{column}' is a {type}, expected text",
    "rows.turn_text_wrong_type": "{where} is a {type}, expected text",
    "rows.tools_bad_json": "'{column}' is not valid JSON ({error}, column {position})",
    "rows.tools_not_list": "'{column}' must be a list of function schemas",
    "rows.tool_no_name": "a tool in '{column}' has no 'name'",
    "rows.call_bad_json": "{where} is a function call but not valid JSON ({error})",
    "rows.call_no_name": "{where} is a function call without a 'name'",
    "rows.tool_calls_not_list": "{where} 'tool_calls' must be a list",
    "rows.tool_call_no_function": "{where} has a tool call without a function name",
    "rows.turns_is_text": "'{column}' is text, expected a list of turns",
    "rows.turns_missing": "'{column}' is missing, empty or not a list of turns",
    "rows.turn_at": "{column} turn {turn}",
    "rows.turn_not_object": "{where} is a {type}, expected an object",
    "rows.turn_no_speaker": "{where} has no '{key}' (the speaker)",
    "rows.turn_bad_speaker": "{where} has speaker {speaker}; accepted: {accepted}",
    # turns.py: the order of the turns
    "rows.only_system": "the conversation has no turns besides the system prompt",
    "rows.system_not_first": "turn {turn} is a system prompt; it may only come first",
    "rows.turn_out_of_order": "turn {turn} is {role} where {expected} was expected (turns alternate)",
    "rows.user_turn_empty": "turn {turn} (user) is empty",
    "rows.assistant_turn_empty": "turn {turn} (assistant) is empty",
    "rows.a_role_turn": "a {role} turn",
    "rows.ends_with": "the conversation ends with {what} (nothing to learn)",
    "rows.prompt_ends_with": "the prompt ends with a {role} turn; it must end with the user's turn",
    # spec/stages.py: the data each stage needs (its `detail`)
    "rows.need_text_or_conversations": "plain text (format text, e.g. a `text` column or .txt files) or conversations",
    "rows.need_conversations": "conversations",
    "rows.need_pairs": "preference pairs (format preference: a prompt with a chosen and a rejected reply)",
    "rows.need_labelled_or_pairs": "replies labelled good or bad (format kto) or preference pairs",
    "rows.need_prompts_or_conversations": "prompts (format prompt, ideally with a reference answer) or conversations",
    # stage_data.py: data of a kind a stage cannot take, and what was done to fit it
    "rows.unknown_stage": "unknown stage {stage}.",
    "rows.kind_sft": "conversations (alpaca, sharegpt or messages)",
    "rows.kind_preference": "preference pairs (a prompt with a chosen and a rejected reply)",
    "rows.kind_kto": "replies labelled good or bad (kto)",
    "rows.kind_text": "plain text (for continued pretraining)",
    "rows.kind_prompt": "prompts without replies",
    "rows.suggest_text": "use the pt stage for plain text",
    "rows.suggest_sft": "use the sft stage for conversations (or grpo, which takes their last reply as the reference)",
    "rows.suggest_preference": "use dpo, orpo or rm for preference pairs (kto and sft take them too)",
    "rows.suggest_kto": "use the kto stage for labelled replies (sft trains on the desirable ones)",
    "rows.suggest_prompt": "use the grpo stage for prompts",
    "rows.another_stage": "another stage",
    "rows.stage_needs": "the {stage} stage needs {needs}, but the data is {data}. Choose a dataset of that kind, "
                        "or {suggest}.",
    "rows.no_usable_rows": "the {stage} stage found no usable training rows in the data ({why}).",
    "rows.note_pt_rendered": "conversations rendered to plain text through the chat template: pt trains on every "
                             "token, the prompts too (the sft stage trains on the replies only)",
    "rows.note_orpo_rendered": "pairs rendered to text through the chat template (the orpo trainer takes text)",
    "rows.note_kto_unpaired": "preference pairs unpaired for kto: each chosen reply is desirable, each rejected one "
                              "undesirable",
    "rows.note_grpo_split": "conversations split for grpo: everything before the last reply is the prompt, that "
                            "reply the reference",
    "rows.note_grpo_tools": "prompts with tools rendered to text through the chat template (grpo takes no per-row "
                            "tools)",
    "rows.notes": "{first}; {second}",
    # fit.py: which rows can train at max_length (the job log, the Review, the Data step)
    "rows.unit_rows": "rows",
    "rows.unit_pairs": "pairs",
    "rows.unit_replies": "replies",
    "rows.unit_prompts": "prompts",
    "rows.fit_empty_reply": "{count} with an empty reply once rendered through the chat template",
    "rows.fit_prompt_fills": "{count} whose prompt alone fills max_length (no room for a reply token)",
    "rows.fit_prompt_too_long": "{count} whose prompt is longer than max_length",
    "rows.fit_too_long": "{count} longer than max_length (the reward trainer leaves out, rather than cuts, a pair "
                         "that does not fit)",
    "rows.fit_dropped": "{dropped} of {total} {unit} cannot train at max_length={max_length} and are left out: "
                        "{reasons}.",
    "rows.fit_eval_dropped": "{dropped} of {total} eval {unit} cannot be used at max_length={max_length} and are "
                             "left out: {reasons}.",
    "rows.fit_truncated": "{count} of the {kept} {unit} kept are longer than max_length={max_length}: their replies "
                          "are cut at the limit (the prompt is kept whole).",
    "rows.fit_none_left": "none of the {total} {unit} can train at max_length={max_length}: {reasons}. Raise "
                          "`training.max_length` to {suggest} (it keeps {share} of them whole), or shorten the "
                          "prompts.",
    "rows.fit_none_left_no_raise": "none of the {total} {unit} can train at max_length={max_length}: {reasons}. "
                                   "Shorten the prompts, or give the rows replies with text.",
    "rows.fit_eval_none_left": "none of the {total} eval {unit} can be used at max_length={max_length} ({reasons}): "
                               "training goes on without evaluation.",
    "rows.images_not_list": "column {column!r} should be a list of image paths (relative to the data file).",
    "rows.image_count": "the messages have {placeholders} <image> placeholder(s) but column {column!r} lists "
                        "{images} image(s); they must match, one path per <image>.",
    "rows.image_outside": "image {path!r} lies outside the data file's folder {folder}: images must be inside it.",
    "rows.image_missing": "image {path!r} does not exist (looked for {where}).",
    "rows.image_unreadable": "image {path!r} cannot be read as an image: {error}.",
}
