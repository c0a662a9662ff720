"""The `workbench` command: run the pipeline, check a config, write an example dataset or the data dictionary.

A user error (`WorkbenchError`: a config key, an input file, the data's shape) is printed
in one line and exits 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from helpers.config import BUILTIN_DATASETS, load_config
from helpers.datasets import write_dataset
from helpers.errors import RunInterrupted, WorkbenchError
from helpers.preflight import check_inputs
from helpers.runner import run
from helpers.schemas import data_dictionary


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
    return parser


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
            for line in check_inputs(config):
                print(line)
        elif args.command == "dictionary":
            print(data_dictionary())
        else:
            written = write_dataset(args.name, Path(args.out), n_customers=args.customers, seed=args.seed)
            print(f"wrote {written.path}")
    except RunInterrupted as error:
        print(f"workbench: run {error}; the manifest marks the stage interrupted", file=sys.stderr)
        return error.exit_code
    except WorkbenchError as error:
        print(f"workbench: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
