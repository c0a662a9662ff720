"""`workbench check`: everything that can be checked before a run without computing anything.

The config (keys, types, cross-field dates, one canonical name per input column) is checked
when it is parsed; here the input files are opened: each exists and is not empty, its first
megabyte decodes in the declared encoding, every mapped column is in its header, and the
order dates of a sample parse with dates.format.
"""

from __future__ import annotations

from helpers.backends import connect
from helpers.config import WorkbenchConfig
from helpers.errors import InputError
from helpers.ingest import CleaningOptions, parse_date
from helpers.sources import SOURCE_FILE, check_mapping, detect_format, read_raw, resolve_files

DATE_SAMPLE_ROWS = 1000


def check_inputs(config: WorkbenchConfig) -> list[str]:
    """What was checked, one line each; an InputError naming file, column and fix at the first problem."""
    if config.input.path is None:
        return [f"input: the built-in dataset '{config.input.dataset}' (generated at run time, nothing to read)"]
    source, mapping = config.input, config.columns.mapped()
    files = resolve_files(source.path)
    fmt = detect_format(files, source.format)
    done = [f"input: {len(files)} {fmt} file(s) found for {source.path}"]
    con = connect()
    for path in files:
        options = {"delimiter": source.csv.delimiter, "encoding": source.csv.encoding, "header": source.csv.header}
        raw = read_raw(con, path, fmt=fmt, sheet=source.sheet, expected_columns=list(mapping.values()), **options).table
        check_mapping(raw, mapping, path)
        columns = [c for c in raw.columns if c != SOURCE_FILE and not c.startswith("_")]
        done.append(f"{path.name}: not empty, readable as {source.csv.encoding if fmt == 'csv' else fmt}, "
                    f"has every mapped column ({len(columns)} columns)")  # fmt: skip
        sample = raw.limit(DATE_SAMPLE_ROWS)
        options = CleaningOptions.from_config(config.dates, config.cleaning)
        parsed = sample.mutate(_date=parse_date(sample[mapping["order_date"]], options.date_format))
        counts = parsed.aggregate(rows=parsed.count(), failed=parsed._date.isnull().sum()).execute().iloc[0]
        rows, failed = int(counts["rows"]), int(counts["failed"] or 0)
        if rows and failed / rows > 0.5:
            example = parsed.filter(parsed._date.isnull())[mapping["order_date"]].limit(3).execute().tolist()
            raise InputError(
                f"{failed} of the first {rows} values of '{mapping['order_date']}' in {path} do not parse as dates "
                f"with dates.format {options.date_format!r}, e.g. {example}; set dates.format (e.g. '%Y%m%d')"
            )
        done.append(f"{path.name}: {rows - failed} of the first {rows} order dates parse")
    return done
