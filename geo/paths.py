"""Paths formed from names read in files: confined to their directory before anything is opened.

Every name that comes from a data file (a layer id, a journal entry, an output name) goes through
:func:`confined` before a path is made of it, so nothing a file says can make the atlas read, move
or delete anything outside its own data directory.
"""

from __future__ import annotations

import os


class PathError(ValueError):
    """A name that is not a plain relative path inside its directory."""


def confined(root: str, rel) -> str:
    """``root/rel`` if ``rel`` is a plain relative path that stays inside ``root``.

    Raises PathError otherwise: absolute paths, ``..`` parts, backslashes, NUL and other
    control characters, and paths that leave ``root`` through a symbolic link are all refused,
    before any path is opened.
    """
    if not isinstance(rel, str) or not rel or len(rel) > 400:
        raise PathError(f"{str(rel)[:80]!r} is not a relative file name")
    if rel.startswith("/") or "\\" in rel or any(ord(c) < 32 or ord(c) == 127 for c in rel):
        raise PathError(f"{rel[:80]!r} is not a plain relative file name")
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise PathError(f"{rel[:80]!r} leaves or escapes the data directory")
    path = os.path.join(root, *parts)
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if os.path.commonpath([real_root, real]) != real_root or real == real_root:
        raise PathError(f"{rel[:80]!r} resolves outside the data directory")
    return path
