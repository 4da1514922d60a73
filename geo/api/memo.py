"""Bodies made once per loaded store: a handler asks for ``memo(store, key, make)`` and gets the
same prepared value for as long as that ``Store`` lives (the cache goes with it)."""

from __future__ import annotations

import threading
import weakref
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")

_memos: "weakref.WeakKeyDictionary[object, dict]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def memo(store: object, key: Hashable, make: Callable[[], T]) -> T:
    """The value ``make()`` returned the first time ``key`` was asked for on ``store``."""
    with _lock:
        cache = _memos.setdefault(store, {})
        if key in cache:
            return cache[key]
    value = make()  # outside the lock: a slow body never blocks other requests
    with _lock:
        return cache.setdefault(key, value)


def lru(store: object, key: Hashable, make: Callable[[], T], size: int = 512) -> T:
    """Like :func:`memo` for keys that requests choose (pages of any offset): the ``size`` most
    recently used are kept, so no sequence of requests can grow the cache without bound."""
    from collections import OrderedDict

    with _lock:
        cache = _memos.setdefault(store, {}).setdefault(("lru", size), OrderedDict())
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    value = make()
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)
        return value
