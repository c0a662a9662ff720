"""The `workbench` command: run the pipeline, check a config, write an example dataset, print the data dictionary
or the stage graph, plan, simulate and measure a campaign.

A user error (`WorkbenchError`: a config key, an input file, the data's shape) is printed
in one line and exits 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

from helpers.core.config import BUILTIN_DATASETS, load_config
from helpers.core.errors import ConfigError, RunInterrupted, WorkbenchError, disk_error
from helpers.data.datasets import write_campaign_log, write_dataset
from helpers.data.pipeline import graph
from helpers.data.schemas import data_dictionary
from helpers.run.preflight import check_inputs
from helpers.run.runner import run

__all__ = ["campaign_command", "main"]


class _CurrentStderr(logging.StreamHandler):
    """Log lines go to whatever sys.stderr is when they are written (a test or a notebook may swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="CRM analytics workbench")
    parser.add_argument("--quiet", action="store_true", help="print only the result and errors")
    commands = parser.add_subparsers(dest="command", required=True)
    run_cmd = commands.add_parser("run", help="execute the notebooks into a run folder")
    run_cmd.add_argument("--config", required=True, help="YAML config (see configs/cdnow.yaml)")
    run_cmd.add_argument("--run-id", help="run folder name (default: <run.name>-<timestamp>)")
    run_cmd.add_argument("--stages", nargs="+", help="only these stages, e.g. 02_segment or 03 clv")
    check = commands.add_parser("check", help="validate a config without running anything")
    check.add_argument("--config", required=True)
    data = commands.add_parser("dataset", help="write a built-in example dataset as a raw file")
    data.add_argument("name", choices=BUILTIN_DATASETS)
    data.add_argument("--out", default="data/raw", help="folder to write into")
    data.add_argument("--customers", type=int, default=20_000, help="babystore only: number of customers")
    data.add_argument("--seed", type=int, default=7)
    commands.add_parser("dictionary", help="print the data dictionary of every artifact (Markdown)")
    commands.add_parser("stages", help="print the stage graph: each stage's config, reads and writes (Markdown)")
    _campaign_parser(commands)
    return parser


def _campaign_parser(commands) -> None:
    campaign = commands.add_parser("campaign", help="plan a campaign with a control group, simulate one on the "
                                   "example data, or measure a finished one")  # fmt: skip
    modes = campaign.add_subparsers(dest="mode", required=True)
    plan = modes.add_parser("plan", help="run the pipeline and draw the plan (campaign_plan.xlsx)")
    plan.add_argument("--as-of", help="plan on the data up to this date (dates.analysis_date), e.g. 2024-11-30")
    simulate = modes.add_parser("simulate", help="babystore examples: the log after the planned campaign, with "
                                "known true effects")  # fmt: skip
    simulate.add_argument("--plan", required=True, help="campaign_plan.parquet of a plan run")
    simulate.add_argument("--out", default="data/raw", help="folder to write into")
    measure = modes.add_parser("measure", help="run the pipeline on the newer log and measure the campaign")
    measure.add_argument("--plan", required=True, help="the plan, or your own assignment file")
    measure.add_argument("--input", help="the newer transaction log (default: the config's input)")
    measure.add_argument("--start", help="the campaign's first day (default: the plan's)")
    measure.add_argument("--responses", help="outcomes per customer (converted, revenue) instead of the log's window")
    for command in (plan, simulate, measure):
        command.add_argument("--config", required=True)
    for command in (plan, measure):
        command.add_argument("--run-id", help="run folder name (default: <run.name>-<timestamp>)")


def campaign_command(args) -> str:
    """`workbench campaign plan|simulate|measure`: what the command wrote, in one line."""
    if args.mode == "plan":
        overrides = {"campaign": {"mode": "plan"}} | ({"dates": {"analysis_date": args.as_of}} if args.as_of else {})
        report = run(args.config, run_id=args.run_id, overrides=overrides)
        return f"report: {report}\nplan: {report.parent / 'artifacts' / 'campaign_plan.xlsx'}"
    if args.mode == "simulate":
        config = load_config(args.config)
        if config.input.dataset not in ("babystore", "babystore_zh"):
            raise ConfigError("campaign simulate works on the babystore examples (input.dataset)")
        plan = pd.read_parquet(args.plan)
        written = write_campaign_log(plan, Path(args.out), n_customers=config.input.dataset_customers,
                                     chinese=config.input.dataset == "babystore_zh")  # fmt: skip
        return (f"wrote {written.path}\nmeasure it: workbench campaign measure --config {args.config} --plan "
                f"{args.plan} --input {written.path}")  # fmt: skip
    overrides = {"campaign": {"mode": "measure", "plan_file": str(Path(args.plan).resolve())}}
    if args.start:
        overrides["campaign"]["start"] = args.start
    if args.responses:
        overrides["campaign"]["response_file"] = str(Path(args.responses).resolve())
    if args.input:
        overrides["input"] = {"path": args.input, "dataset": None}
    report = run(args.config, run_id=args.run_id, overrides=overrides)
    return f"report: {report}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=[_CurrentStderr()], force=True)
    logging.getLogger("helpers").setLevel(logging.WARNING if args.quiet else logging.INFO)  # progress: ours only
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # nbconvert's per-image accessibility notes
    # a kernel stopped by an interrupt leaves nbclient's cell task unretrieved; the run reports the interruption
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    try:
        if args.command == "run":
            report = run(args.config, run_id=args.run_id, stages=args.stages)
            print(f"report: {report}")
        elif args.command == "check":
            config = load_config(args.config)
            print(f"config {args.config}: keys, types and dates are valid (run name '{config.run.name}')")
            found = check_inputs(config)
            for finding in found:
                print(finding)
            problems = [finding for finding in found if finding.level == "problem"]
            if problems:
                print(f"workbench: {len(problems)} problem(s) in the input; see the lines above", file=sys.stderr)
                return 1
        elif args.command == "dictionary":
            print(data_dictionary())
        elif args.command == "stages":
            print(graph(), end="")
        elif args.command == "campaign":
            print(campaign_command(args))
        else:
            written = write_dataset(args.name, Path(args.out), n_customers=args.customers, seed=args.seed)
            print(f"wrote {written.path}")
    except RunInterrupted as error:
        print(f"workbench: run {error}; the manifest marks the stage interrupted", file=sys.stderr)
        return error.exit_code
    except WorkbenchError as error:
        print(f"workbench: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a read-only folder, a full disk: the system's refusal, said once with the fix
        print(f"workbench: {disk_error(error)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
