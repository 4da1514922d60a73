"""GeoJSON serialisation and all-or-nothing writing of the build outputs."""

from __future__ import annotations

import json
import os

from shapely.geometry import mapping

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
TMP_MARK = ".tmp-"
BAK_MARK = ".bak-"


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


def _stray_files(root: str):
    for base, _, files in os.walk(root):
        for name in files:
            if TMP_MARK in name or BAK_MARK in name:
                yield os.path.join(base, name)


def recover(root: str) -> bool:
    """Undo a write that was interrupted (killed) while renaming its files into place.

    :func:`write_outputs` journals the swap before it starts: which targets it will replace,
    where it keeps a hard link to each previous file, and which targets are new. If a journal
    is found, the swap did not finish: every previous file is put back and every new one
    removed, so the outputs are byte-identical to those before the interrupted build.
    Temporary and backup files left by a kill at any other moment are removed.

    Returns True when an interrupted write was rolled back.
    """
    journal = os.path.join(root, JOURNAL)
    rolled_back = False
    if os.path.exists(journal):
        with open(journal, encoding="utf-8") as fh:
            plan = json.load(fh)
        for target, backup in plan["backups"].items():
            if os.path.exists(os.path.join(root, backup)):
                os.replace(os.path.join(root, backup), os.path.join(root, target))
        for target in plan["created"]:
            try:
                os.remove(os.path.join(root, target))
            except FileNotFoundError:
                pass
        os.remove(journal)
        _fsync_dir(root)
        rolled_back = True
    for path in _stray_files(root):
        os.remove(path)
    return rolled_back


def write_outputs(root: str, outputs: dict[str, bytes], prune: dict[str, str] | None = None):
    """Write every output or none, even if the process is killed half-way.

    1. Any earlier interrupted write is rolled back (:func:`recover`).
    2. Every file is written beside its target as a temporary file and synced. A failure here
       (disk full, permissions) removes the temporaries; nothing else was touched.
    3. The previous files are hard-linked to backups and a journal of the swap is written.
    4. The temporaries are renamed over their targets (each rename is atomic).
    5. The journal is removed (the commit point), then the backups and stale layer files.

    A kill during step 4 leaves the journal, and the next write (or the app's start-up) rolls
    back to the previous outputs, byte for byte.

    Parameters
    ----------
    root : str
        Directory the relative paths of ``outputs`` are under.
    outputs : dict
        Relative path -> bytes.
    prune : dict, optional
        Directory (relative) -> file suffix: files there with that suffix that are not among
        the outputs are stale (a layer removed from the catalog) and are deleted afterwards.
    """
    os.makedirs(root, exist_ok=True)
    recover(root)
    pid = os.getpid()
    temps: list[tuple[str, str]] = []
    try:
        for rel, data in outputs.items():
            target = os.path.join(root, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = f"{target}{TMP_MARK}{pid}"
            temps.append((tmp, rel))
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        backups, created = {}, []
        for _, rel in temps:
            target = os.path.join(root, rel)
            if os.path.exists(target):
                backup = f"{rel}{BAK_MARK}{pid}"
                os.link(target, os.path.join(root, backup))
                backups[rel] = backup
            else:
                created.append(rel)
        journal_tmp = os.path.join(root, f"{JOURNAL}{TMP_MARK}{pid}")
        with open(journal_tmp, "w", encoding="utf-8") as fh:
            json.dump({"backups": backups, "created": created}, fh)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        for path in [t for t, _ in temps] + [os.path.join(root, f"{JOURNAL}{TMP_MARK}{pid}")]:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
        for path in _stray_files(root):
            os.remove(path)
        raise
    os.replace(journal_tmp, os.path.join(root, JOURNAL))
    _fsync_dir(root)
    for tmp, rel in temps:
        os.replace(tmp, os.path.join(root, rel))
    for folder in {os.path.dirname(os.path.join(root, rel)) for _, rel in temps}:
        _fsync_dir(folder)
    os.remove(os.path.join(root, JOURNAL))  # the commit point
    _fsync_dir(root)
    for backup in backups.values():
        os.remove(os.path.join(root, backup))
    for rel_dir, suffix in (prune or {}).items():
        keep = {os.path.normpath(os.path.join(root, r)) for r in outputs}
        folder = os.path.join(root, rel_dir)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
            path = os.path.normpath(os.path.join(folder, name))
            if name.endswith(suffix) and path not in keep:
                os.remove(path)
