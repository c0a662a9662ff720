"""The stages of a run, one function each: the validated config and the run folder in, artifacts out.

`ingest.run`, `segment.run`, `clv.run` and `churn.run` read the upstream artifacts,
compute, write their own artifacts and figures, and return a result object with
every table and figure their notebook shows. Notebooks are parameters, one call,
then display and computed prose.
"""
