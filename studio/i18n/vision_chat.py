"""Strings of the image (vision-language) parts of the page: chat ("vl.chat."), English and simplified
Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
}
ZH: dict[str, str] = {
}
