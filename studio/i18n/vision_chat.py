"""Strings of the image (vision-language) parts of the page: chat ("vl.chat."), English and simplified
Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
    "vl.chat.image": "Image (up to {mb} MB)",
}
ZH: dict[str, str] = {
    "vl.chat.image": "图片（不超过 {mb} MB）",
}
