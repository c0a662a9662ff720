"""The workbench's user errors: one base class, one subclass per subsystem.

A `WorkbenchError` is something the user can fix (a config key, an input file, the
data's shape); its message names the file, key or column and the fix. The CLI prints
it in one line. Any other exception is a bug and is shown with its traceback.
"""

from __future__ import annotations

import errno
import signal

__all__ = [
    "DISK_FIXES",
    "ArtifactSchemaError",
    "CampaignDataError",
    "ChurnDataError",
    "ClvFitError",
    "ConfigError",
    "DiskError",
    "InputError",
    "InsufficientDataError",
    "MissingArtifactError",
    "NextPurchaseDataError",
    "NoActionListError",
    "ReconciliationError",
    "RunFolderError",
    "RunInterrupted",
    "StageFailed",
    "StageSkipped",
    "WorkbenchError",
    "disk_error",
]


class WorkbenchError(Exception):
    """A problem the user can fix; the message says what and how."""


class ConfigError(WorkbenchError):
    """A config that cannot be run; the message names the key and the fix."""


class InputError(WorkbenchError):
    """An input file that cannot be read or mapped; the message names the file, column and fix."""


class ReconciliationError(WorkbenchError):
    """Ingest could not account for every row or every unit of money."""


class MissingArtifactError(WorkbenchError):
    """An upstream stage has not produced the artifact this stage needs."""


class ArtifactSchemaError(WorkbenchError):
    """An artifact does not match its written schema (see docs/data_dictionary.md)."""


class InsufficientDataError(WorkbenchError):
    """The data cannot support a stage's model (too few customers or repeat buyers, too short a history).

    The runner records the stage as skipped with this message and runs the later stages that can run."""


class ClvFitError(InsufficientDataError):
    """A CLV model could not be fitted; the message says what to try."""


class ChurnDataError(InsufficientDataError):
    """Labels that cannot train or evaluate a model; the message says why and what to change."""


class NextPurchaseDataError(InsufficientDataError):
    """History too short or too thin to forecast and check the next purchase; the message says what to change."""


class NoActionListError(InsufficientDataError):
    """06_campaign plans from the action list, which 04_churn and 05_next_purchase did not write on this data."""


class CampaignDataError(WorkbenchError):
    """A campaign plan, assignment or outcome window that cannot be measured; the message says what to fix."""


class StageFailed(WorkbenchError):
    """A notebook raised; the executed copy with its traceback stays in the run folder."""


class StageSkipped(WorkbenchError):
    """A stage's notebook raised InsufficientDataError: the data cannot support it; later stages go on."""


class RunFolderError(WorkbenchError):
    """The run folder cannot be written now: another writer holds it, or a stage would read stale artifacts."""


class RunInterrupted(WorkbenchError):
    """SIGINT or SIGTERM stopped a run; the manifest records where."""

    def __init__(self, signum: int):
        self.signum = int(signum)
        self.signal_name = signal.Signals(self.signum).name
        super().__init__(f"interrupted by {self.signal_name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


class DiskError(WorkbenchError):
    """The operating system refused a read or write (permissions, a full disk, a read-only folder)."""


DISK_FIXES = {
    errno.EACCES: "make it writable for this user, or set run.output_dir to a folder you can write",
    errno.EPERM: "make it writable for this user, or set run.output_dir to a folder you can write",
    errno.EROFS: "the disk is mounted read-only: set run.output_dir to a folder on a writable disk",
    errno.ENOSPC: "the disk is full: free space on it, or set run.output_dir to a folder on another disk",
    errno.EDQUOT: "your disk quota is used up: free space, or set run.output_dir to a folder on another disk",
    errno.ELOOP: "a symbolic link stands where the run writes; remove it (a run folder holds only its own files)",
}


def disk_error(error: OSError) -> DiskError:
    """An OSError as one line: what was refused, where, and the fix."""
    where = f" {error.filename}" if error.filename else ""
    fix = DISK_FIXES.get(error.errno or 0, "check the path and its permissions")
    return DiskError(f"cannot write{where}: {error.strerror or error}; {fix}")
