"""GeoJSON serialisation and all-or-nothing writing of the build outputs."""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import time
from contextlib import contextmanager
from typing import Callable

from shapely.geometry import mapping

from .paths import PathError, confined

DECIMALS = 6


def _round(value, decimals: int = DECIMALS):
    if isinstance(value, float):
        return round(value, decimals)
    if isinstance(value, (list, tuple)):
        return [_round(v, decimals) for v in value]
    return value


def geometry_json(geometry) -> dict:
    """GeoJSON geometry object with coordinates rounded to 6 decimals (about 0.1 m)."""
    geo = mapping(geometry)
    return {"type": geo["type"], "coordinates": _round(geo["coordinates"])}


def feature_collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def dumps(obj) -> bytes:
    """Compact, deterministic UTF-8 JSON (Chinese names stay readable, no escapes)."""
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def bounds(features: list[dict]) -> list[float] | None:
    """[minx, miny, maxx, maxy] of GeoJSON features, or None for none."""
    xs, ys = [], []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for f in features:
        walk(f["geometry"]["coordinates"])
    if not xs:
        return None
    return [min(xs), min(ys), max(xs), max(ys)]


JOURNAL = ".build-journal.json"
LOCK = ".build.lock"
TMP_MARK = ".tmp-"
BAK_MARK = ".bak-"
# What a temporary or backup file of ours is called: <target>.tmp-<pid>[-<hex>] (or .bak-).
_SCRATCH = re.compile(r"\.(?:tmp|bak)-[0-9]+(?:-[0-9a-f]+)?$")
LOCK_TIMEOUT = 600.0  # seconds a build waits for another build in the same directory


class JournalError(ValueError):
    """The build journal cannot be trusted: nothing was moved or deleted because of it."""


class LockTimeout(RuntimeError):
    """Another build held the directory's lock for longer than we were willing to wait."""


class WriteError(OSError):
    """Writing the outputs failed; ``state`` says what is on disk now, truthfully:

    - ``"untouched"``: the previous outputs, byte for byte (nothing was swapped, or it was rolled back);
    - ``"written"``: every new output is in place, only removing a backup failed;
    - ``"journaled"``: a rollback failed too; the next build or the app's start-up rolls back.
    """

    def __init__(self, message: str, state: str):
        super().__init__(message)
        self.state = state


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _scratch_name(rel: str, mark: str) -> str:
    return f"{rel}{mark}{os.getpid()}-{secrets.token_hex(4)}"


def _stray_files(root: str):
    """Temporary and backup files of ours (by their exact name pattern) under ``root``."""
    for base, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(base, d))]
        for name in files:
            if _SCRATCH.search(name):
                yield os.path.join(base, name)


@contextmanager
def build_lock(root: str, timeout: float = LOCK_TIMEOUT, on_wait: Callable[[str], None] | None = None):
    """Hold the directory's build lock (``fcntl.flock`` on ``root/.build.lock``).

    Builds and the app's start-up take it before they recover or write, so one never removes
    the other's temporary files. A second holder waits, telling ``on_wait`` once, and gives up
    with LockTimeout after ``timeout`` seconds. The lock goes with the process: a killed build
    never leaves it held.
    """
    os.makedirs(root, exist_ok=True)
    fd = os.open(os.path.join(root, LOCK), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told and on_wait is not None:
                    on_wait(f"another build is writing to {root}; waiting for it to finish")
                    told = True
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"another build has been writing to {root} for more than "
                                      f"{timeout:g} s; try again when it has finished") from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _read_journal(root: str) -> dict | None:
    """The journal, checked: every name in it a confined relative path, of the right kind."""
    path = os.path.join(root, JOURNAL)
    if not os.path.lexists(path):
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            plan = json.load(fh)
    except (OSError, ValueError, RecursionError) as exc:
        raise JournalError(f"the build journal {path} is unreadable: {type(exc).__name__}: "
                           f"{' '.join(str(exc).split())[:200]}") from None
    try:
        if not isinstance(plan, dict):
            raise JournalError("it is not a JSON object")
        backups, created = plan.get("backups"), plan.get("created", [])
        removed = plan.get("removed", {})
        if not isinstance(backups, dict) or not isinstance(removed, dict):
            raise JournalError("'backups' and 'removed' must be objects of file names")
        if not isinstance(created, list):
            raise JournalError("'created' must be a list of file names")
        for target, backup in list(backups.items()) + list(removed.items()):
            confined(root, target)
            confined(root, backup)
            if not isinstance(backup, str) or not backup.startswith(target + BAK_MARK) \
                    or not _SCRATCH.search(backup):
                raise JournalError(f"{str(backup)[:80]!r} is not a backup of {target[:80]!r}")
        for target in created:
            confined(root, target)
    except (JournalError, PathError) as exc:
        raise JournalError(f"the build journal {path} cannot be trusted: {exc}; "
                           "nothing was moved or deleted") from None
    return {"backups": backups, "created": created, "removed": removed}


def _roll_back(root: str, plan: dict) -> None:
    for target, backup in list(plan["backups"].items()) + list(plan["removed"].items()):
        target_path, backup_path = confined(root, target), confined(root, backup)
        if not os.path.exists(backup_path):
            continue
        if os.path.exists(target_path) and os.path.samefile(target_path, backup_path):
            os.remove(backup_path)  # not swapped yet (rename() between two links of one file is a no-op)
        else:
            os.replace(backup_path, target_path)
    for target in plan["created"]:
        try:
            os.remove(confined(root, target))
        except FileNotFoundError:
            pass


def recover(root: str, *, lock: bool = True, timeout: float = LOCK_TIMEOUT) -> bool:
    """Undo a write that was interrupted (killed) while renaming its files into place.

    :func:`write_outputs` journals the swap before it starts: which targets it will replace or
    remove, where it keeps a hard link to each previous file, and which targets are new. If a
    journal is found, the swap did not finish: every previous file is put back and every new one
    removed, so the outputs are byte-identical to those before the interrupted build.
    Temporary and backup files left by a kill at any other moment are removed.

    Every name in the journal is checked first (:func:`confined`): a journal naming anything
    outside ``root`` raises JournalError and nothing is touched. The build lock is held
    meanwhile (``lock=False`` when the caller holds it), so a running build's files are safe.

    Returns True when an interrupted write was rolled back.
    """
    if not lock:
        return _recover(root)
    if not os.path.isdir(root):
        return False
    with build_lock(root, timeout):
        return _recover(root)


def _recover(root: str) -> bool:
    plan = _read_journal(root)
    rolled_back = False
    if plan is not None:
        _roll_back(root, plan)
        os.remove(os.path.join(root, JOURNAL))
        _fsync_dir(root)
        rolled_back = True
    for path in _stray_files(root):
        os.remove(path)
    return rolled_back


def write_outputs(root: str, outputs: dict[str, bytes], prune: dict[str, str] | None = None,
                  on_wait: Callable[[str], None] | None = None, timeout: float = LOCK_TIMEOUT):
    """Write every output or none, even if the process is killed half-way.

    0. The directory's build lock is taken (:func:`build_lock`): a concurrent build waits.
    1. Any earlier interrupted write is rolled back (:func:`recover`).
    2. Every file is written beside its target as a temporary file and synced. A failure here
       (disk full, permissions) removes the temporaries; nothing else was touched.
    3. The previous files, and the stale ones ``prune`` will remove, are hard-linked to backups
       and a journal of the swap is written.
    4. The temporaries are renamed over their targets (each rename is atomic) and the stale
       files removed. A failure here is rolled back from the journal at once.
    5. The journal is removed (the commit point), then the backups.

    A kill during step 4 leaves the journal, and the next write (or the app's start-up) rolls
    back to the previous outputs, byte for byte: the directory holds the whole old set or the
    whole new one. Raises WriteError (with its ``state``) for a failure in steps 2-5.

    Parameters
    ----------
    root : str
        Directory the relative paths of ``outputs`` are under.
    outputs : dict
        Relative path -> bytes (any set of files: layers, downloads in other formats, ...).
    prune : dict, optional
        Directory (relative) -> file suffix: files there with that suffix that are not among
        the outputs are stale (a layer removed from the catalog) and are removed in the swap.
    """
    for rel in outputs:
        try:
            confined(root, rel)
        except PathError as exc:
            raise WriteError(f"refusing to write {exc}", state="untouched") from None
    with build_lock(root, timeout, on_wait):
        _recover(root)
        _write_locked(root, outputs, prune or {})


def _stale(root: str, outputs: dict[str, bytes], prune: dict[str, str]) -> list[str]:
    keep = {os.path.normpath(r) for r in outputs}
    stale = []
    for rel_dir, suffix in prune.items():
        folder = confined(root, rel_dir)
        if not os.path.isdir(folder) or os.path.islink(folder):
            continue
        for name in sorted(os.listdir(folder)):
            rel = f"{rel_dir}/{name}"
            if name.endswith(suffix) and os.path.normpath(rel) not in keep and \
                    os.path.isfile(os.path.join(folder, name)):
                stale.append(rel)
    return stale


def _write_locked(root: str, outputs: dict[str, bytes], prune: dict[str, str]) -> None:
    temps: list[tuple[str, str]] = []
    links: list[str] = []
    journal_tmp = os.path.join(root, _scratch_name(JOURNAL, TMP_MARK))
    try:
        for rel, data in outputs.items():
            target = confined(root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = confined(root, _scratch_name(rel, TMP_MARK))
            temps.append((tmp, rel))
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        backups, created, removed = {}, [], {}
        for _, rel in temps:
            target = confined(root, rel)
            if os.path.exists(target):
                backup = _scratch_name(rel, BAK_MARK)
                os.link(target, confined(root, backup))
                links.append(backup)
                backups[rel] = backup
            else:
                created.append(rel)
        for rel in _stale(root, outputs, prune):
            backup = _scratch_name(rel, BAK_MARK)
            os.link(confined(root, rel), confined(root, backup))
            links.append(backup)
            removed[rel] = backup
        with open(journal_tmp, "w", encoding="utf-8") as fh:
            json.dump({"backups": backups, "created": created, "removed": removed}, fh)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        for path in [t for t, _ in temps] + [confined(root, b) for b in links] + [journal_tmp]:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        if isinstance(exc, OSError):
            raise WriteError(f"{exc}", state="untouched") from exc
        raise
    plan = {"backups": backups, "created": created, "removed": removed}
    os.replace(journal_tmp, os.path.join(root, JOURNAL))
    _fsync_dir(root)
    try:
        for tmp, rel in temps:
            os.replace(tmp, confined(root, rel))
        for rel in removed:
            os.remove(confined(root, rel))
        for folder in {os.path.dirname(confined(root, rel)) for _, rel in temps}:
            _fsync_dir(folder)
    except OSError as exc:
        try:
            _roll_back(root, plan)
            os.remove(os.path.join(root, JOURNAL))
            for tmp, _ in temps:
                if os.path.exists(tmp):
                    os.remove(tmp)
        except OSError as again:
            raise WriteError(f"{exc}; rolling back failed too ({again}): the next build or the "
                             "app's start-up rolls back from the journal", state="journaled") from exc
        raise WriteError(f"{exc} (rolled back)", state="untouched") from exc
    os.remove(os.path.join(root, JOURNAL))  # the commit point
    _fsync_dir(root)
    try:
        for backup in links:
            os.remove(confined(root, backup))
    except OSError as exc:
        raise WriteError(f"the new outputs are in place, but removing a backup failed: {exc}",
                         state="written") from exc
