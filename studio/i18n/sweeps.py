"""Strings of sweeps: the Review step's "try these values", the sweep table and plot ("sweep."), English and simplified Chinese, merged into the tables by studio/i18n/tables.py."""

EN: dict[str, str] = {
}
ZH: dict[str, str] = {
}
