"""Words and numbers as the reader sees them: the message catalogue (English and Simplified Chinese), the
report language, currency and number formats, Markdown-safe prose. Above `core`."""
