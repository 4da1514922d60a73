"""The source documents behind the catalog: their digests and where each mention stands in them.

The documents themselves are not in the repository (they are cited, not copied; CI and the
developers have them in ``../shared/seeds``). So the catalog records, for each document, the
SHA-256 digest of its file and, for each mention, its ``offset``: the character position of the
mention in the document's *normal text* (:func:`normal_text`). Without the documents a clean
clone can still check that this record is well formed; with them, :func:`check_documents` checks
that every file is the one cited and that every mention is found, word for word, where the
catalog says.
"""

from __future__ import annotations

import hashlib
import os
import re

from .catalog import Catalog

HERE = os.path.dirname(os.path.abspath(__file__))
# The documents sit beside the repository, never inside it: <repo>/../shared/seeds (a worktree
# elsewhere can point ATLAS_DOCUMENTS at them).
DOCUMENTS_DIR = os.environ.get("ATLAS_DOCUMENTS") or os.path.normpath(
    os.path.join(HERE, "..", "..", "shared", "seeds"))

_QUOTES = re.compile(r"[\u2018\u2019']")


def normal_text(text: str) -> str:
    """The form offsets count in: whitespace runs as one space, curly apostrophes straight,
    lower case (a mention quotes the words, not their line breaks or typography)."""
    return _QUOTES.sub("'", " ".join(text.split())).lower()


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def read_document(directory: str, file: str) -> str | None:
    """A document's text, or None when it is not there (a clean clone has none)."""
    path = os.path.join(directory, os.path.basename(file))
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def locate(text: str, mention: str) -> int:
    """Offset of ``mention`` in the normal text of ``text``; -1 if it is not there."""
    return normal_text(text).find(normal_text(mention))


def check_documents(catalog: Catalog, directory: str = DOCUMENTS_DIR
                    ) -> tuple[list[str], list[str]]:
    """Check the catalog's record of its documents against the files in ``directory``.

    Returns ``(problems, notes)``: problems name the document or the entry at fault (a digest
    that differs, a mention not at its offset or not in the document at all); notes say what
    could not be checked because a document is absent. Only the basename of a document's
    ``file`` is used, so a catalog cannot send the check outside ``directory``.
    """
    problems: list[str] = []
    notes: list[str] = []
    texts: dict[str, str] = {}
    for key, doc in catalog.documents.items():
        path = os.path.join(directory, os.path.basename(doc.file))
        if not os.path.isfile(path):
            notes.append(f"document {key!r} ({doc.file}) is not in {directory}: its digest and "
                         "mentions were not checked")
            continue
        if doc.sha256 and sha256_of(path) != doc.sha256:
            problems.append(f"documents.yaml: document {key!r}: {path} has SHA-256 "
                            f"{sha256_of(path)}, the catalog records {doc.sha256}")
            continue
        texts[key] = normal_text(read_document(directory, doc.file) or "")
    for entry in catalog.entries:
        for s in entry.sources:
            text = texts.get(s.document)
            if text is None:
                continue
            words = normal_text(s.mention)
            where = f"{entry.file}: entry {entry.id!r}: mention {s.mention!r}"
            if words not in text:
                problems.append(f"{where} is not in {catalog.documents[s.document].file}")
            elif s.offset is not None and text[s.offset:s.offset + len(words)] != words:
                problems.append(f"{where} is not at offset {s.offset} of "
                                f"{catalog.documents[s.document].file} (it is at "
                                f"{text.find(words)})")
    return problems, notes
