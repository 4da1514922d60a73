"""Finding the spans of text that name places.

Every name of the lexicon is found in one pass of an Aho-Corasick automaton (pyahocorasick) over
the lower-cased text; designation patterns (:mod:`geo.parse.patterns`) grow spans around the
names they hold. Conventions (issue 9): the longest span that names the place is one mention;
a written suffix belongs to it; "Jingzhou in Hubei" is two; a place name inside the name of an
organisation or a company is none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import ahocorasick

from .lexicon import Lexicon, Sense
from .patterns import (EN_TAIL, EN_TAIL_ANY, EN_TAIL_KINDS, GENERIC_HEAD_WORDS, LEADING_STOP, NOT_PLACES_EN,
                       ORG_WORDS, SURNAMES, ZH_MAX_GAP, ZH_ORG_MAX_GAP, ZH_ORG_TAILS, ZH_STOP,
                       ZH_TAILS)

_CJK_RANGE = ("\u3400", "\u9fff")
_TOKEN = re.compile(r"[A-Za-z0-9][\w'’.-]*|\([A-Z][\w ]*\)", re.UNICODE)


def is_cjk(ch: str) -> bool:
    return _CJK_RANGE[0] <= ch <= _CJK_RANGE[1]


@dataclass
class Span:
    start: int
    end: int
    text: str
    kind: str | None = None          # from a designation tail; None: from the senses
    senses: list[Sense] = field(default_factory=list)
    explicit: bool = False
    parts: list["Span"] = field(default_factory=list)  # names inside a designation or a chain
    source: str = "name"             # name | designation | chain

    @property
    def length(self) -> int:
        return self.end - self.start


class MentionFinder:
    """Finds place mentions in text with one automaton over every name of a lexicon."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.automaton = ahocorasick.Automaton()
        for key in lexicon.senses:
            self.automaton.add_word(key, key)
        self.automaton.make_automaton()
        self._zh_tails = {t: k for k, t in ZH_TAILS}
        self._zh_tail_max = max(len(t) for _, t in ZH_TAILS)

    # -- public -----------------------------------------------------------------------------

    def find(self, text: str) -> list[Span]:
        low = _lower_same_length(text)
        names = self._names(text, low)
        spans = list(names)
        spans += self._english_designations(text, names)
        spans += self._chinese_designations(text, names)
        spans += self._chains(text, names)
        chosen = _longest_first(spans)
        return [s for s in chosen if not self._in_organisation(text, s)]

    # -- names ------------------------------------------------------------------------------

    def _names(self, text: str, low: str) -> list[Span]:
        out = []
        n = len(text)
        for end_idx, key in self.automaton.iter(low):
            end = end_idx + 1
            start = end - len(key)
            if key.isascii():
                if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "'’"):
                    continue
                if end < n and (text[end].isalnum() or (text[end] in "'’" and end + 1 < n
                                                         and text[end + 1].isalpha())):
                    continue
                if not (text[start].isupper() or text[start].isdigit()) and not _lower_ok(key):
                    continue
                if self._person_or_brand(text, start, end, key):
                    continue
            senses = self.lexicon.senses[key]
            out.append(Span(start, end, text[start:end], None, list(senses),
                            explicit=any(s.explicit for s in senses)))
        return out

    def _person_or_brand(self, text: str, start: int, end: int, key: str) -> bool:
        if key in NOT_PLACES_EN:
            after = text[end:end + 14]
            before = text[max(0, start - 1):start]
            if before == "(" or any(after.startswith(w) for w in NOT_PLACES_EN[key]) or not after.startswith(" County"):
                return True
        # "Xi Jinping", "Wang Guosheng": a pinyin given name after a surname.
        m = re.search(r"([A-Z][a-z]{0,5}) $", text[max(0, start - 8):start])
        if m and m.group(1) in SURNAMES and " " not in key:
            senses = self.lexicon.senses[key]
            if not any(s.source == "unit" and s.kind in ("province", "prefecture") and s.explicit
                       for s in senses):
                return True
        # A surname written after a pinyin place name is the name of a person too ("Chen Run'er").
        return False

    # -- designations -----------------------------------------------------------------------

    def _english_designations(self, text: str, names: list[Span]) -> list[Span]:
        out = []
        by_end: dict[int, list[Span]] = {}
        for s in names:
            by_end.setdefault(s.end, []).append(s)
        for m in EN_TAIL.finditer(text):
            kind = EN_TAIL_KINDS[int(m.lastgroup[1:])]
            start = self._head_start(text, m.start())
            if start is None:
                continue
            head = text[start:m.start()].strip()
            if not head:
                continue
            words = [w.strip("()").lower() for w in re.split(r"[\s-]+", head) if w]
            if all(w in GENERIC_HEAD_WORDS for w in words):
                continue
            parts = [s for s in names if s.start >= start and s.end <= m.end()]
            # A tail after a lexicon name already ending there (e.g. "Hubei Province") is that name.
            out.append(Span(start, m.end(), text[start:m.end()], kind, [], True, parts,
                            "designation"))
        return out

    def _head_start(self, text: str, tail_start: int) -> int | None:
        """Start of the capitalised run before a tail (None when there is none)."""
        i = tail_start
        start = None
        tokens = 0
        while True:
            j = i
            while j > 0 and text[j - 1] == " ":
                j -= 1
            if j == i and i != tail_start:
                break
            if j == i and i == tail_start and i > 0 and text[i - 1] not in " -":
                break
            if j < i - 1:
                break  # two spaces: not one name
            k = j
            if k > 0 and text[k - 1] == ")":
                o = text.rfind("(", 0, k)
                if o < 0 or k - o > 30:
                    break
                k = o
            else:
                while k > 0 and (text[k - 1].isalnum() or text[k - 1] in "'’-"):
                    k -= 1
            word = text[k:j]
            if not word:
                break
            core = word.strip("()")
            if not core[:1].isupper() and not core[:1].isdigit():
                if core.lower() in ("and", "of", "&") and tokens and not _TAIL_BEFORE.search(
                        text, max(0, k - 80), max(0, k - 1)):
                    i = k
                    continue
                break
            start = k
            tokens += 1
            i = k
            if tokens >= 8:
                break
        if start is None:
            return None
        # Drop connectors and sentence words at the front ("The", "In", "and").
        while True:
            m = re.match(r"([\w'’()-]+)\s+", text[start:tail_start])
            if not m or m.group(1).lower() not in LEADING_STOP | {"and", "of", "&"}:
                break
            start += m.end()
        return start if start < tail_start else None

    def _chinese_designations(self, text: str, names: list[Span]) -> list[Span]:
        out = []
        zh_names = sorted((s for s in names if is_cjk(s.text[0])), key=lambda s: s.start)
        starts = {}
        for s in zh_names:  # chains of names written together: 湖北荆州
            first = starts.get(s.start, s.start)
            starts.setdefault(s.end, first)
        for s in zh_names:
            head_start = starts.get(s.start, s.start)
            i = s.end
            limit = min(len(text), s.end + ZH_MAX_GAP + self._zh_tail_max)
            best = None
            while i < limit and text[i] not in ZH_STOP and is_cjk(text[i]):
                for L in range(self._zh_tail_max, 0, -1):
                    tail = text[i:i + L]
                    if tail in self._zh_tails and i - s.end <= ZH_MAX_GAP:
                        best = (i + L, self._zh_tails[tail])
                        break
                if best and best[0] >= i + 1 and i - s.end > 0 and text[i - 1] in "区园港":
                    break
                i += 1
                if best:
                    break
            if best is None:
                continue
            end, kind = best
            if end - s.end == 1 and text[s.end] in "港站":
                pass
            parts = [p for p in zh_names if p.start >= head_start and p.end <= end]
            out.append(Span(head_start, end, text[head_start:end], kind, [], True, parts,
                            "designation"))
        return out

    def _chains(self, text: str, names: list[Span]) -> list[Span]:
        """Place names joined by hyphens ("Changsha-Zhuzhou-Xiangtan") are one mention."""
        out = []
        latin = sorted((s for s in names if not is_cjk(s.text[0])), key=lambda s: (s.start, -s.end))
        by_start: dict[int, Span] = {}
        for s in latin:
            if s.start not in by_start or s.end > by_start[s.start].end:
                by_start[s.start] = s
        for s in latin:
            if by_start.get(s.start) is not s:
                continue
            if not _admin(s):
                continue
            chain = [s]
            while True:
                nxt = by_start.get(chain[-1].end + 1)
                if nxt is None or text[chain[-1].end] not in "-–":
                    break
                chain.append(nxt)
            if len(chain) >= 2:
                out.append(Span(s.start, chain[-1].end, text[s.start:chain[-1].end],
                                "region_or_belt", [], False, chain, "chain"))
        return out

    # -- organisations ----------------------------------------------------------------------

    def _in_organisation(self, text: str, span: Span) -> bool:
        if is_cjk(span.text[-1]):
            rest = text[span.end:span.end + ZH_ORG_MAX_GAP + 4]
            for i, ch in enumerate(rest):
                if ch in ZH_STOP or not is_cjk(ch):
                    break
                if i <= ZH_ORG_MAX_GAP and rest[i:].startswith(ZH_ORG_TAILS):
                    return True
            return False
        # The capitalised run after the span: "Henan [Civil Aviation ... Company]".
        run = re.match(r"(?:[ ](?:[A-Z][\w'’.&-]*|and|of|for|&))+", text[span.end:span.end + 120])
        if run:
            words = [w.lower().rstrip(",") for w in run.group(0).split()]
            while words and words[-1] in ("and", "of", "for", "&"):
                words.pop()
            if any(w in ORG_WORDS for w in words):
                return True
        # "Bank of China", "University of Science and Technology of China".
        before = text[max(0, span.start - 80):span.start]
        m = re.search(r"((?:[A-Z][\w'’.&-]* (?:(?:and|of|for|&) )?)+)of (?:the )?$", before)
        if m and any(w.lower() in ORG_WORDS for w in m.group(1).split()):
            return True
        return False


# A designation tail ending right before a connector: "Dabie Mountain [and] Wuling Mountain"
# are two names, not one.
_TAIL_BEFORE = re.compile(r"\b(?:" + EN_TAIL_ANY + r"|Province|City|County|District|Prefecture)$",
                          re.IGNORECASE)


def _lower_ok(key: str) -> bool:
    """Lower-case forms that stand as names: directional regions ("central China")."""
    return any(ch.isupper() for ch in key) or " china" in key or key.startswith(("central ", "six "))


def _admin(span: Span) -> bool:
    return any(s.source in ("unit", "feature", "group") for s in span.senses)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _longest_first(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans, the longest kept where two overlap (then the leftmost)."""
    rank = {"name": 0, "chain": 1, "designation": 2}
    order = sorted(spans, key=lambda s: (-s.length, s.start, rank[s.source]))
    taken: list[tuple[int, int]] = []
    chosen = []
    for s in order:
        if any(s.start < e and b < s.end for b, e in taken):
            continue
        taken.append((s.start, s.end))
        chosen.append(s)
    return sorted(chosen, key=lambda s: s.start)
