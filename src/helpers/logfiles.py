"""Where output that is not for the reader goes: the run's log file, not a report or the terminal."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

RUN_LOG = "CRM_WORKBENCH_LOG"  # environment variable naming the current run's log; stage kernels inherit it


def run_log() -> Path:
    """The current run's log file (set by the runner), or one in the temporary folder outside a run."""
    return Path(os.environ.get(RUN_LOG) or Path(tempfile.gettempdir()) / "crm-workbench.log")


@contextmanager
def process_output_to(log_file: Path, fds: tuple[int, ...] = (2,)):
    """Point this process's file descriptors `fds` (2: standard error, 1: standard output) at `log_file` for the
    duration. A process started meanwhile (a notebook kernel, a JVM) inherits them and keeps writing there."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in fds}
    with open(log_file, "ab") as log:
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
