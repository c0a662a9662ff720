"""A run folder as a unit: a safe name inside run.output_dir, one writer at a time, no stale reuse.

Each stage's manifest record says what the stage was computed from (the run's input
fingerprint, the hashes of the upstream artifacts it read) and what it wrote. Before a
stage runs, its upstream stages must have finished ok on the same input, with their
artifacts unchanged since; when a stage starts again, every later stage becomes stale.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import socket
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from helpers.core.errors import ConfigError, RunFolderError
from helpers.data import schemas

__all__ = [
    "CHUNK",
    "LOCK_NAME",
    "RUN_ID",
    "artifact_digest",
    "check_upstream",
    "input_fingerprint",
    "locked",
    "log",
    "read_manifest",
    "remove_links",
    "run_folder",
    "sha256",
    "stage_outputs",
]

RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
LOCK_NAME = ".lock"
CHUNK = 1 << 20
log = logging.getLogger(__name__)


def run_folder(output_dir: Path, run_id: str) -> Path:
    """The folder of `run_id` inside `output_dir`; a run id is a plain name, never a path."""
    if not RUN_ID.fullmatch(run_id) or ".." in run_id:
        raise ConfigError(
            f"run id '{run_id}' is not a plain name: use letters, digits, '-', '_' and '.', "
            "starting with a letter or digit (no '/', no '..')"
        )
    root = Path(output_dir).resolve()
    folder = (root / run_id).resolve()
    if folder.parent != root:
        raise ConfigError(f"run id '{run_id}' would write outside run.output_dir ({root})")
    return folder


def sha256(path: Path) -> str:
    """The file's SHA-256, read in a stream."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def locked(folder: Path):
    """Hold the run folder's lock while writing it; a second writer is refused, a dead writer's lock replaced."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / LOCK_NAME
    holder = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for _ in range(2):
        try:
            descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                other = json.loads(lock.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                other = {}
            if other.get("host") == holder["host"] and not _pid_alive(int(other.get("pid", -1))):
                lock.unlink(missing_ok=True)  # its writer died without releasing it
                continue
            raise RunFolderError(
                f"run folder {folder} is being written by process {other.get('pid', '?')} on "
                f"{other.get('host', '?')} since {other.get('started', '?')}; wait for it or choose another --run-id "
                f"(if no such process runs, delete {lock})"
            ) from None
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(holder, handle)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def input_fingerprint(config_sections: dict, file_hashes: list[str]) -> str:
    """What ingest's result depends on: the ingest config sections and every input file's SHA-256."""
    digest = hashlib.sha256(json.dumps(config_sections, sort_keys=True, default=str).encode())
    for file_hash in file_hashes:
        digest.update(file_hash.encode())
    return digest.hexdigest()


def stage_outputs(stage: str, artifacts: Path) -> dict[str, str]:
    """SHA-256 of each artifact `stage` wrote (by the data dictionary), for the files that exist."""
    names = [a.name for a in schemas.ARTIFACTS.values() if a.stage == stage]
    names += [name for name, table in schemas.CSV_COPIES.items() if table.stage == stage]
    return {name: artifact_digest(artifacts / name) for name in sorted(names) if (artifacts / name).exists()}


def artifact_digest(path: Path) -> str:
    """An artifact's SHA-256, read once per version of the file: every later stage checks the same
    transactions.parquet, which may be gigabytes, against the digest its writer recorded."""
    status = path.stat()
    return _digest_of_version(str(path), status.st_size, status.st_mtime_ns)


@lru_cache(maxsize=256)
def _digest_of_version(path: str, _size: int, _mtime_ns: int) -> str:
    return sha256(Path(path))


def check_upstream(stage: str, records: dict, *, fingerprint: str, artifacts: Path) -> dict[str, str]:
    """The upstream artifacts `stage` may read, with their hashes; an error if any is stale, failed or changed.

    Every earlier stage with a record in the manifest is upstream; 01_ingest must have one."""
    earlier = {name: record for name, record in sorted(records.items()) if name < stage}
    if not stage.startswith("01") and not any(name.startswith("01") for name in earlier):
        raise RunFolderError(f"{stage} needs the clean transactions: run 01_ingest first in this run folder")
    reads: dict[str, str] = {}
    for name, record in earlier.items():
        if record.get("status") == "skipped" and not name.startswith("01"):
            continue  # the data could not support it: it wrote nothing, and later stages run without it
        if record.get("status") != "ok":
            raise RunFolderError(
                f"{stage} would read the artifacts of {name}, whose last run is '{record.get('status')}'; "
                f"run {name} (and the stages after it) again first"
            )
        if record.get("input") != fingerprint:
            raise RunFolderError(
                f"{stage} would read the artifacts of {name}, computed from another input or ingest config than "
                f"this run's; run {name} first"
            )
        current = stage_outputs(name, artifacts)
        changed = sorted(n for n, digest in record.get("writes", {}).items() if current.get(n) != digest)
        if changed:
            raise RunFolderError(f"{', '.join(changed)} changed since {name} wrote it; run {name} again first")
        reads |= current
    return reads


def remove_links(folder: Path) -> list[str]:
    """Remove every symbolic link inside the run folder, so no write of the run can follow one out of it (a
    `run.log` linked to a file elsewhere would be appended to); returns 'link -> target' of each, for the log."""
    removed = []
    for parent, directories, files in os.walk(folder):  # does not descend into linked folders
        for name in (*directories, *files):
            path = Path(parent) / name
            if path.is_symlink():
                removed.append(f"{path} -> {os.readlink(path)}")
                path.unlink()
    for entry in removed:
        log.warning("removed the symbolic link %s: a run folder holds only its own files", entry)
    return removed


def read_manifest(path: Path) -> dict:
    """The run folder's manifest ({} when there is none yet); a damaged one is an error, never parsed by guess."""
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        manifest = error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("stages", {}), dict):
        reason = f" ({manifest})" if isinstance(manifest, Exception) else " (not a record of stages)"
        raise RunFolderError(
            f"{path} is damaged{reason}; it records what each stage read and wrote, so the run cannot trust this "
            "folder: move the file aside and run every stage again, or choose another --run-id"
        )
    return manifest
