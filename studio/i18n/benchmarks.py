"""Strings of the Benchmarks panel ("bench."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    "bench.title": "Standard benchmarks: base vs fine-tuned",
}
ZH: dict[str, str] = {
    "bench.title": "标准评测：基座模型与微调模型对比",
}
