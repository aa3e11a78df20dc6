"""The trainer of each stage, one module a stage (sft, pt, rm, dpo, orpo, kto, grpo), each with a
`build(spec, job_dir, workspace, reporter, data)` that returns a common.StageRun; common.py holds what
they share (begin, StageBuild). Which module builds which stage is said by the stage's record
(backend/spec/stages.py); backend.training.run imports it."""
