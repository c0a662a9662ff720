"""Data in and out: reading exports (CSV, Excel, DuckDB or Spark), cleaning and quarantining rows, the artifact
schemas and the pipeline's declared reads and writes, artifact files, Excel/CSV copies, per-customer features
and the example datasets. Above `core` and `language`."""
