"""Strings of the cluster settings and where each job runs ("cluster."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
}
ZH: dict[str, str] = {
}
