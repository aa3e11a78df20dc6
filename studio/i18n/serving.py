"""Strings of the Serve panel ("serve."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    "serve.title": "Serve (OpenAI-compatible API)",
}
ZH: dict[str, str] = {
    "serve.title": "部署服务（OpenAI 兼容 API）",
}
