"""The papermill runner: executes the numbered notebooks into one run folder.

A run folder holds the executed notebooks, their HTML renderings (code hidden),
the artifacts, the figures and `manifest.json` (run id, config as given and as
resolved, input hashes, package versions, per-stage status and timings). A
failing stage stops the run and is recorded; `stages` re-runs chosen stages of
an existing run from its artifacts.
"""

from __future__ import annotations

import html
import logging
import os
import re
import signal
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import nbformat
import papermill
import yaml
from nbclient.exceptions import DeadKernelError
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError

from helpers.core.config import parse_config, read_config_file
from helpers.core.errors import (
    DISK_FIXES,
    ConfigError,
    InsufficientDataError,
    RunInterrupted,
    StageFailed,
    StageSkipped,
)
from helpers.core.logfiles import RUN_LOG, append_line, echo_progress, process_output_to
from helpers.data.artifacts import RunPaths, atomic_path, write_json
from helpers.data.pipeline import PIPELINE, downstream
from helpers.data.sources import resolve_files
from helpers.language.i18n import t, use_language
from helpers.report.pages import render_front_page
from helpers.run import runfolder

__all__ = [
    "CHECKED_BY_NBVAL",
    "EXPLORE",
    "INSUFFICIENT_DATA",
    "KERNEL_NAME",
    "NOTEBOOK_DIR",
    "NOTEBOOK_PARAMETERS",
    "REPORTED_PACKAGES",
    "TEMPLATES",
    "Stage",
    "discover_stages",
    "ensure_kernel",
    "interrupts_as_errors",
    "log",
    "merged",
    "notebook_parameters",
    "package_versions",
    "readable",
    "render_html",
    "run",
    "select_stages",
    "stopped_notice",
]

log = logging.getLogger(__name__)
_INSUFFICIENT: list[type[InsufficientDataError]] = [InsufficientDataError, *InsufficientDataError.__subclasses__()]
INSUFFICIENT_DATA = {error.__name__ for error in _INSUFFICIENT}
KERNEL_NAME = "crm-workbench"
NOTEBOOK_DIR = Path(__file__).resolve().parents[3] / "notebooks"
REPORTED_PACKAGES = (
    "crm-workbench", "pandas", "numpy", "ibis-framework", "duckdb", "pyarrow", "lifetimes", "scikit-learn",
    "scipy", "matplotlib", "seaborn", "papermill", "nbconvert", "pydantic",
)  # fmt: skip


@dataclass(frozen=True)
class Stage:
    name: str
    notebook: Path


def discover_stages(notebook_dir: Path = NOTEBOOK_DIR) -> list[Stage]:
    """The declared stages (helpers.data.pipeline) with their notebooks, in order; a declared stage without its
    notebook is an error, as is a numbered notebook no stage declares."""
    stages = [Stage(s.name, notebook_dir / s.notebook) for s in PIPELINE]
    missing = [s.notebook.name for s in stages if not s.notebook.exists()]
    undeclared = sorted({p.name for p in notebook_dir.glob("[0-9][0-9]_*.ipynb")} - {s.notebook.name for s in stages})
    if missing or undeclared:
        raise ConfigError(f"the notebooks in {notebook_dir} do not match the declared stages (helpers.data.pipeline): "
                          f"missing {missing}, not declared {undeclared}")  # fmt: skip
    return stages


def select_stages(stages: list[Stage], wanted: list[str] | None) -> list[Stage]:
    """Stages by full name ('02_segment'), number ('02') or short name ('segment')."""
    if not wanted:
        return stages
    chosen: list[Stage] = []
    for item in wanted:
        match = [s for s in stages if item in (s.name, s.name[:2], s.name[3:])]
        if not match:
            raise ConfigError(f"unknown stage '{item}'; stages are {[s.name for s in stages]}")
        chosen.extend(m for m in match if m not in chosen)
    return sorted(chosen, key=lambda s: s.name)


def ensure_kernel(name: str = KERNEL_NAME) -> str:
    """Register a Jupyter kernel for this interpreter (idempotent), so notebooks run in this environment."""
    from ipykernel.kernelspec import install
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(name)
        if Path(spec.argv[0]).resolve() == Path(sys.executable).resolve():
            return name
    except NoSuchKernel:
        pass
    install(kernel_name=name, display_name="CRM workbench", prefix=sys.prefix)
    return name


NOTEBOOK_PARAMETERS = ("run_dir", "config_file")  # what the runner passes; the config file holds every setting


def notebook_parameters(stage: Stage, run_dir: Path, config_file: Path) -> dict:
    """The parameters a stage's notebook declares, each one the runner provides; anything else is an error."""
    declared = set(papermill.inspect_notebook(str(stage.notebook)))
    if declared != set(NOTEBOOK_PARAMETERS):
        raise ConfigError(
            f"{stage.notebook.name} declares parameters {sorted(declared)}; a stage notebook declares exactly "
            f"{list(NOTEBOOK_PARAMETERS)} and reads every setting from the config file"
        )
    return {"run_dir": str(run_dir), "config_file": str(config_file)}


def package_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for name in REPORTED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


TEMPLATES = Path(__file__).parents[1] / "report" / "templates"


def stopped_notice(error: dict, *, notebook: str) -> dict:
    """A notebook's error output as a reader's notice: why the stage stopped, in words, and where the details are
    (the executed notebook keeps the traceback); the report shows no traceback."""
    skipped = error.get("ename") in INSUFFICIENT_DATA
    reason = html.escape((str(error.get("evalue") or error.get("ename") or "").strip().splitlines() or [""])[0])
    title = t("This stage was skipped") if skipped else t("This stage stopped with an error")
    after = (t("The later stages run without it; the front page says what this leaves out.") if skipped else
             t("Nothing after this point was computed. The details are in {notebook} and run.log in the run folder.",
               notebook=notebook))  # fmt: skip
    box = (
        f'<div style="border-left:4px solid {"#c9a227" if skipped else "#b3261e"};padding:0.6em 1em;'
        f'background:#faf7ef"><p><strong>{title}</strong></p><p>{reason}</p><p>{html.escape(after)}</p></div>'
    )
    return nbformat.v4.new_output("display_data", data={"text/html": box})


CHECKED_BY_NBVAL = "# NBVAL_CHECK_OUTPUT"  # a cell that prints numbers for the tests; the page shows them formatted


EXPLORE = "explore"  # the tag of a notebook's cells for the analyst: left out of the reader's page


def readable(notebook: nbformat.NotebookNode, *, name: str) -> nbformat.NotebookNode:
    """The executed notebook without the printouts nbval checks and the analyst's explore cells (tagged
    `explore`), each error output replaced by its `stopped_notice`."""
    notebook.cells = [cell for cell in notebook.cells if EXPLORE not in cell.get("metadata", {}).get("tags", [])]
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith(CHECKED_BY_NBVAL):
            cell.outputs = [output for output in cell.get("outputs", []) if output.get("output_type") == "error"]
        outputs = cell.get("outputs", [])
        for index, output in enumerate(outputs):
            if output.get("output_type") == "error":
                outputs[index] = stopped_notice(output, notebook=f"notebooks/{name}")
    return notebook


def render_html(executed: Path, target: Path, *, language: str = "en") -> None:
    """HTML for stakeholders: outputs and narrative, no code; a stage that stopped says why in words."""
    exporter = HTMLExporter(template_name="stage_report", extra_template_basedirs=[str(TEMPLATES)], exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True)  # fmt: skip
    with use_language(language):
        notebook = readable(nbformat.read(executed, as_version=4), name=executed.name)
        headings = {declared.name: declared.heading for declared in PIPELINE}
        name = executed.stem  # the browser's tab: the stage's heading in the report language
        notebook.metadata["title"] = f"{t(headings[name])} · {name}" if name in headings else name
    body, _ = exporter.from_notebook_node(notebook)
    with atomic_path(target) as tmp:
        tmp.write_text(body, encoding="utf-8")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _execute(stage: Stage, paths: RunPaths, kernel: str) -> None:
    """Run one stage's notebook into the run folder; a failure becomes StageFailed with the notebook's reason."""
    executed = paths.notebooks / f"{stage.name}.ipynb"
    console = os.dup(2)  # the terminal, while standard error points at the run's log
    # what a kernel, Spark or a library prints on standard error is for the run's log; the stage's progress messages
    # are echoed on the terminal as they come (unless the run is quiet)
    echo = echo_progress(paths.log, label=stage.name, console=console) if log.isEnabledFor(logging.INFO) else None
    try:
        with process_output_to(paths.log), echo or nullcontext():
            papermill.execute_notebook(
                str(stage.notebook),
                str(executed),
                parameters=notebook_parameters(stage, paths.root, paths.config),
                kernel_name=kernel,
                cwd=str(stage.notebook.parent),
                progress_bar=False,
            )
    except DeadKernelError:  # the kernel was killed (most often by the system, for memory)
        raise StageFailed(f"stage {stage.name} failed: its kernel died, most often because the machine ran out of "
                          "memory; see run.log, and lower the stage's sample settings or use a bigger machine "
                          f"(see {executed})") from None  # fmt: skip
    except PapermillExecutionError as error:
        if error.ename == "KeyboardInterrupt":  # Ctrl-C reached the kernel too
            raise RunInterrupted(signal.SIGINT) from None
        if error.ename in INSUFFICIENT_DATA:
            raise StageSkipped(error.evalue.strip().splitlines()[0]) from None
        reason = f"{error.ename}: {error.evalue}".strip().splitlines()[0]
        refused = re.search(r"\[Errno (\d+)\]", error.evalue or "")
        if refused and int(refused[1]) in DISK_FIXES:  # the system refused a write inside the stage
            reason += f"; {DISK_FIXES[int(refused[1])]}"
        raise StageFailed(f"stage {stage.name} failed: {reason} (see {executed})") from None
    finally:
        os.close(console)
        if executed.exists():
            given = read_config_file(paths.config) if paths.config.exists() else {}
            language = (given.get("report") or {}).get("language", "en")
            render_html(executed, paths.html / f"{stage.name}.html", language=language)


@contextmanager
def interrupts_as_errors():
    """SIGTERM (and SIGINT, which Python raises as KeyboardInterrupt) become RunInterrupted while a run writes."""

    def on_signal(signum, _frame):
        raise RunInterrupted(signum)

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        yield
    except KeyboardInterrupt:
        raise RunInterrupted(signal.SIGINT) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _mark_dependants_stale(manifest: dict, stage: str) -> None:
    """Every stage that reads what `stage` writes (`pipeline.downstream`) is stale once `stage` runs again."""
    dependants = set(downstream(stage))
    for name, record in manifest["stages"].items():
        if name in dependants and record["status"] != "stale":
            record.update(status="stale", error=f"{stage} ran again after it; run {name} again")


def _run_stage(stage: Stage, manifest: dict, *, paths: RunPaths, kernel: str, fingerprint: str) -> None:
    """One stage, recorded: what it read, what it wrote, its status and wall time."""
    reads = runfolder.check_upstream(stage.name, manifest["stages"], fingerprint=fingerprint, artifacts=paths.artifacts)
    record = {"name": stage.name, "status": "running", "started": _now(), "seconds": 0.0, "error": None,
              "input": fingerprint, "reads": reads, "writes": {}}  # fmt: skip
    manifest["stages"][stage.name] = record
    _mark_dependants_stale(manifest, stage.name)
    write_json(manifest, paths.manifest)
    began = time.perf_counter()
    try:
        _execute(stage, paths, kernel)
        record.update(status="ok", writes=runfolder.stage_outputs(stage.name, paths.artifacts))
    except StageSkipped as reason:  # the data cannot support this stage; the later stages run without it
        record.update(status="skipped", error=str(reason))
        for name in runfolder.stage_outputs(stage.name, paths.artifacts):
            (paths.artifacts / name).unlink()
        log.warning("%s skipped: %s", stage.name, reason)
    except StageFailed as error:
        record.update(status="failed", error=str(error).split(": ", 1)[1].rsplit(" (see ", 1)[0])
        raise
    except (RunInterrupted, KeyboardInterrupt) as caught:
        interrupted = caught if isinstance(caught, RunInterrupted) else RunInterrupted(signal.SIGINT)
        record.update(status="interrupted", error=f"{interrupted.signal_name} at {_now()}")
        raise interrupted from None
    finally:
        record["seconds"] = round(time.perf_counter() - began, 2)
        log.info("%s: %s in %.1f s", stage.name, record["status"], record["seconds"])
        ended = f"{_now()} {stage.name}: {record['status']} in {record['seconds']:.1f} s"  # the run's own progress
        append_line(paths.log, ended + (f" ({record['error']})" if record["error"] else ""))
        write_json(manifest, paths.manifest)


def merged(base: dict, overrides: dict) -> dict:
    """`base` with `overrides` applied section by section (nested mappings merge, other values replace)."""
    result = dict(base)
    for key, value in overrides.items():
        result[key] = merged(result.get(key) or {}, value) if isinstance(value, dict) else value
    return result


def run(config_path: str | Path, *, run_id: str | None = None, stages: list[str] | None = None,
        notebook_dir: Path = NOTEBOOK_DIR, overrides: dict | None = None) -> Path:  # fmt: skip
    """Execute the selected stages into runs/<run_id>/; return the report path. `overrides` change config
    sections for this run (the manifest records the config as given and as resolved).

    Raises StageFailed, RunInterrupted, or RunFolderError when the folder is locked or a stage
    would read stale artifacts."""
    given = merged(read_config_file(config_path), overrides or {})
    config = parse_config(given, source=str(config_path), base_dir=Path.cwd())
    selected = select_stages(discover_stages(notebook_dir), stages)
    run_id = run_id or f"{config.run.name}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    paths = RunPaths(runfolder.run_folder(config.run.output_dir, run_id))
    with runfolder.locked(paths.root), interrupts_as_errors():
        runfolder.remove_links(paths.root)
        previous = runfolder.read_manifest(paths.manifest)
        user_files = resolve_files(config.input.path) if config.input.path else []
        user_files += [Path(side.path) for side in (config.customers, config.surveys) if side and side.path]
        hashes = {path: runfolder.sha256(path) for path in user_files}  # each input file read once per run
        ingest_sections = config.model_dump(
            mode="json", include={"input", "columns", "dates", "cleaning", "amounts", "customers", "surveys"}
        )
        fingerprint = runfolder.input_fingerprint(ingest_sections, list(hashes.values()))
        manifest = {
            "run_id": run_id,
            "config_file": str(Path(config_path).resolve()),
            "config_given": given,
            "config_resolved": config.model_dump(mode="json"),
            "packages": package_versions(),
            "started": _now(),
            "input": fingerprint,
            "stages": previous.get("stages", {}),
        }
        kernel = ensure_kernel()
        # the stages read the keys as given (input paths resolved): a key left unset is chosen from the data's
        # history in every stage alike (helpers.models.history); the manifest records every default too
        as_given = config.model_dump(mode="json", exclude_unset=True)
        with atomic_path(paths.config) as tmp:
            tmp.write_text(yaml.safe_dump(as_given, allow_unicode=True, sort_keys=False), "utf-8")
        write_json(manifest, paths.manifest)
        os.environ[RUN_LOG] = str(paths.log)  # the stage kernels inherit it: Spark's own logging goes there
        try:
            for index, stage in enumerate(selected, start=1):
                log.info("[stage %d/%d] %s", index, len(selected), stage.name)
                _run_stage(stage, manifest, paths=paths, kernel=kernel, fingerprint=fingerprint)
        finally:
            os.environ.pop(RUN_LOG, None)
            generated = sorted(p for p in paths.input.glob("*") if p.is_file())  # built-in datasets written
            hashes |= {path: runfolder.sha256(path) for path in generated}
            manifest["inputs"] = [{"path": str(path), "sha256": digest, "bytes": path.stat().st_size}
                                  for path, digest in hashes.items()]  # fmt: skip
            manifest["finished"] = _now()
            write_json(manifest, paths.manifest)
            report = render_front_page(
                manifest, paths, currency=config.report.currency, language=config.report.language
            )
    return report
