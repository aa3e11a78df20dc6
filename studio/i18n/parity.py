"""Strings of the Export panel's parity table and GGUF choices ("parity.", "gguf."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
}
ZH: dict[str, str] = {
}
