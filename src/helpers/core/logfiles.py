"""Where output that is not for the reader goes: the run's log file, not a report or the terminal."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

__all__ = ["RUN_LOG", "RunLogHandler", "append_line", "log_to_run_log", "process_output_to", "run_log"]

RUN_LOG = "CRM_WORKBENCH_LOG"  # environment variable naming the current run's log; stage kernels inherit it


def run_log() -> Path:
    """The current run's log file (set by the runner), or one in the temporary folder outside a run."""
    return Path(os.environ.get(RUN_LOG) or Path(tempfile.gettempdir()) / "crm-workbench.log")


def log_to_run_log(logger: str = "helpers") -> None:
    """Write the helpers' log records (progress and warnings) to the current run's log file, and no earlier run's:
    in a notebook kernel a warning would otherwise go to standard error, which the kernel shows in the report."""
    target, path = logging.getLogger(logger), os.path.abspath(run_log())
    for handler in [h for h in target.handlers if isinstance(h, RunLogHandler) and h.baseFilename != path]:
        target.removeHandler(handler)
        handler.close()
    if not any(isinstance(h, RunLogHandler) for h in target.handlers):
        handler = RunLogHandler(path, encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
        target.addHandler(handler)
    if target.level == logging.NOTSET:  # a stage kernel: its progress belongs in the run's log too
        target.setLevel(logging.INFO)


class RunLogHandler(logging.FileHandler):
    """The handler `log_to_run_log` adds."""


def append_line(log_file: Path, text: str) -> None:
    """One line at the end of the run's log (O_NOFOLLOW: never through a link left where the log goes)."""
    descriptor = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    with open(descriptor, "a", encoding="utf-8") as log:
        log.write(text.rstrip("\n") + "\n")


@contextmanager
def process_output_to(log_file: Path, fds: tuple[int, ...] = (2,)):
    """Point this process's file descriptors `fds` (2: standard error, 1: standard output) at `log_file` for the
    duration. A process started meanwhile (a notebook kernel, a JVM) inherits them and keeps writing there."""
    sys.stdout.flush()
    sys.stderr.flush()
    descriptor = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    saved = {fd: os.dup(fd) for fd in fds}
    with open(descriptor, "ab") as log:  # O_NOFOLLOW: a link left where the log goes is refused, not followed
        for fd in fds:
            os.dup2(log.fileno(), fd)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
