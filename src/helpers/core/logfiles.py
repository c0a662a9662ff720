"""Where output that is not for the reader goes: the run's log file, not a report or the terminal."""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "PROGRESS_LINE",
    "PROGRESS_POLL_SECONDS",
    "RUN_LOG",
    "RunLogHandler",
    "append_line",
    "echo_progress",
    "log_to_run_log",
    "process_output_to",
    "progress_lines",
    "run_log",
]

RUN_LOG = "CRM_WORKBENCH_LOG"  # environment variable naming the current run's log; stage kernels inherit it
PROGRESS_POLL_SECONDS = 2.0
# a record of the helpers' logger as log_to_run_log formats it: its message is a stage's progress or warning
PROGRESS_LINE = re.compile(r"^\S+ \S+ helpers[\w.]* (INFO|WARNING): (.+)$")


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


def progress_lines(text: str) -> list[str]:
    """The helpers' progress and warning messages among lines of the run's log (a warning marked as such)."""
    said = []
    for line in text.splitlines():
        found = PROGRESS_LINE.match(line)
        if found:
            said.append(found[2] if found[1] == "INFO" else f"warning: {found[2]}")
    return said


@contextmanager
def echo_progress(log_file: Path, *, label: str, console: int, poll_seconds: float = PROGRESS_POLL_SECONDS
                  ) -> Iterator[None]:  # fmt: skip
    """While a stage's kernel writes its progress to the run's log, echo each message on the `console` file
    descriptor with the stage's `label` and the minutes and seconds since it began: a long stage is not silent."""
    began, stop = time.monotonic(), threading.Event()
    offset = log_file.stat().st_size if log_file.exists() else 0

    def echo_new() -> None:
        nonlocal offset
        if not log_file.exists():
            return
        with log_file.open("rb") as log:
            log.seek(offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]  # a line still being written waits for the next look
        offset += len(complete)
        minutes, seconds = divmod(int(time.monotonic() - began), 60)
        for message in progress_lines(complete.decode("utf-8", errors="replace")):
            os.write(console, f"  {label} {minutes:d}:{seconds:02d} {message}\n".encode())

    def follow() -> None:
        while not stop.wait(poll_seconds):
            echo_new()

    thread = threading.Thread(target=follow, name=f"progress of {label}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        echo_new()
