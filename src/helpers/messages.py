"""The Simplified Chinese message catalogue."""

ZH: dict[str, str] = {}
