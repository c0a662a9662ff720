"""The pipeline as data: each stage's name, stage module, the config sections it reads and the artifacts it reads.

What a stage writes is not declared twice: it is every artifact whose schema (`helpers.data.schemas`) names the stage.
The runner takes the stages and their order from here, marks a stage's dependants stale when it runs again, and
`workbench stages` prints the graph; a test checks the declarations against the stage modules and that every read
has an earlier writer. Adding a stage = one module in `helpers/stages/`, one notebook, one `Stage` below.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpers.data.schemas import ARTIFACTS, CSV_COPIES

__all__ = ["PIPELINE", "TRANSACTIONS", "Stage", "downstream", "graph", "problems", "stage", "upstream", "writer"]


@dataclass(frozen=True)
class Stage:
    """One stage: `needs` are the artifacts it cannot run without, `uses` those it reads when an earlier stage
    wrote them (a member table, an optional model); `config` the config sections that change what it computes
    (besides `run` and `report`, which every stage reads)."""

    name: str  # NN_name: the number orders the report's pages
    module: str  # the stage function's module: helpers.stages.<module>.run(config, run_dir)
    heading: str  # the stage's title on the front page and its page (translated by helpers.language.i18n.t)
    config: tuple[str, ...]
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def writes(self) -> tuple[str, ...]:
        """The artifacts whose schema names this stage, with their CSV and Excel copies."""
        tables = tuple(name for name, artifact in ARTIFACTS.items() if artifact.stage == self.name)
        copies = tuple(name for name, artifact in CSV_COPIES.items() if artifact.name in tables)
        return tables + copies

    @property
    def reads(self) -> tuple[str, ...]:
        return self.needs + self.uses


TRANSACTIONS = "transactions.parquet"
PIPELINE: tuple[Stage, ...] = (
    Stage("01_ingest", "ingest", "Data",
          ("input", "columns", "dates", "cleaning", "amounts", "customers", "surveys", "backend")),
    Stage("02_segment", "segment", "Segments", ("segment", "life_stage", "alerts", "voice", "dates"),
          needs=(TRANSACTIONS,), uses=("customers.parquet", "surveys.parquet", "quality.json")),
    Stage("03_clv", "clv", "Customer value", ("clv", "dates"), needs=(TRANSACTIONS,), uses=("segments.parquet",)),
    Stage("04_churn", "churn", "Churn and actions",
          ("churn", "campaign", "clv", "segment", "care", "customers", "life_stage", "voice", "dates"),
          needs=(TRANSACTIONS,),
          uses=("clv.parquet", "segments.parquet", "customers.parquet", "alerts.parquet", "surveys.parquet")),
    Stage("05_next_purchase", "next_purchase", "Next purchase and offers",
          ("next_purchase", "life_stage", "care", "customers", "clv", "demand", "dates", "backend"),
          needs=(TRANSACTIONS, "clv_models.json"),
          uses=("churn.parquet", "care_calendar.parquet", "member_growth.parquet", "customers.parquet",
                "segments.parquet")),
    Stage("06_campaign", "campaign", "Campaign", ("campaign", "churn", "clv", "dates"),
          needs=(TRANSACTIONS, "action_list.parquet"), uses=("customers.parquet", "next_purchase.parquet")),
)  # fmt: skip


def stage(name: str) -> Stage:
    """The stage of this name."""
    return next(s for s in PIPELINE if s.name == name)


def writer(artifact: str) -> str:
    """The stage that writes `artifact`."""
    return next(s.name for s in PIPELINE if artifact in s.writes)


def upstream(name: str) -> list[str]:
    """The stages whose artifacts `name` reads, directly."""
    return sorted({writer(artifact) for artifact in stage(name).reads})


def downstream(name: str) -> list[str]:
    """Every stage that reads, directly or through others, what `name` writes: stale when `name` runs again."""
    found: list[str] = []
    for later in PIPELINE:
        if any(parent == name or parent in found for parent in upstream(later.name)):
            found.append(later.name)
    return found


def problems(pipeline: tuple[Stage, ...] = PIPELINE) -> list[str]:
    """What is wrong with the declarations: a read no earlier stage writes (or only a later one: a cycle), a
    stage that writes nothing, names out of order."""
    said, written = [], set()
    for item in pipeline:
        for artifact in item.reads:
            if artifact not in written:
                said.append(f"{item.name} reads {artifact}, which no earlier stage writes")
        if not item.writes:
            said.append(f"{item.name} writes no artifact with a schema")
        written |= set(item.writes)
    if [s.name for s in pipeline] != sorted(s.name for s in pipeline):
        said.append("the stages are not in the order of their numbers")
    return said


def graph() -> str:
    """The stage graph in Markdown: per stage, its module, notebook, config, reads (with their writer) and
    writes."""
    lines = []
    for item in PIPELINE:
        after = ", ".join(upstream(item.name)) or "nothing"
        lines += [f"- **{item.name}** (`helpers.stages.{item.module}`, `notebooks/{item.notebook}`), after {after}",
                  f"  - config: {', '.join(f'`{c}`' for c in item.config)}"]  # fmt: skip
        if item.needs:
            lines.append("  - needs: " + ", ".join(f"`{a}` ({writer(a)})" for a in item.needs))
        if item.uses:
            lines.append("  - uses when present: " + ", ".join(f"`{a}` ({writer(a)})" for a in item.uses))
        lines.append("  - writes: " + ", ".join(f"`{a}`" for a in item.writes))
    return "\n".join(lines) + "\n"
