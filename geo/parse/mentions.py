"""Finding the spans of text that name places.

Every name of the lexicon is found in one pass of an Aho-Corasick automaton (pyahocorasick) over
the lower-cased text; designation patterns (:mod:`geo.parse.patterns`) grow spans around the
names they hold. Conventions (issue 9): the longest span that names the place is one mention;
a written suffix belongs to it; "Jingzhou in Hubei" is two; a place name inside the name of an
organisation or a company is none.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import ahocorasick

from .lexicon import Lexicon, Sense
from .names import COUNTRY_ABBR_ZH
from .patterns import (DIRECTIONS, EN_TAIL, EN_TAIL_ANY, EN_TAIL_AT_END, EN_TAIL_KINDS, EN_TAIL_LAST_WORDS, GENERIC_HEAD_WORDS, LEADING_STOP, NOT_PLACES_EN,
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
            if not is_cjk(key[0]) and len(key) <= 3 and key not in lexicon.acronyms:
                continue  # "Li", "Xi", "An": one-syllable names are words and surnames
            self.automaton.add_word(key, key)
        self.automaton.make_automaton()
        self.tail_words = ahocorasick.Automaton()
        for w in EN_TAIL_LAST_WORDS:
            self.tail_words.add_word(w, w)
        self.tail_words.make_automaton()
        self._zh_tails = {t: k for k, t in ZH_TAILS}
        self._zh_tail_max = max(len(t) for _, t in ZH_TAILS)

    # -- public -----------------------------------------------------------------------------

    def find(self, text: str) -> list[Span]:
        low = _lower_same_length(text)
        names = self._names(text, low)
        spans = list(names)
        spans += self._english_designations(text, low, names)
        spans += self._chinese_designations(text, names)
        spans += self._chains(text, names)
        spans += self._directional(text, names)
        spans += self._port_of(text, names)
        spans += self._zh_borders(text)
        chosen = _longest_first(spans)
        return [s for s in chosen if not self._in_organisation(text, s)]

    # -- names ------------------------------------------------------------------------------

    def _names(self, text: str, low: str) -> list[Span]:
        out = []
        n = len(text)
        for end_idx, key in self.automaton.iter(low):
            end = end_idx + 1
            start = end - len(key)
            if not is_cjk(key[0]):
                if start > 0 and (_word_char(text[start - 1]) or text[start - 1] in "'’"):
                    continue
                if end < n and (_word_char(text[end]) or (text[end] in "'’" and end + 1 < n
                                                         and text[end + 1].isalpha()
                                                         and not _possessive(text, end))):
                    continue
                if not (text[start].isupper() or text[start].isdigit()) and not _lower_ok(key):
                    continue
                if key in self.lexicon.acronyms and not text[start:end].isupper() \
                        and len(key) <= 3:
                    continue
                if self._person_or_brand(text, start, end, key):
                    continue
            senses = self.lexicon.senses[key]
            if len(key) == 2 and not key.isascii() and self._inside_a_word(text, start, end, senses):
                continue
            out.append(Span(start, end, text[start:end], None, list(senses),
                            explicit=any(s.explicit for s in senses)))
        return out

    def _inside_a_word(self, text: str, start: int, end: int, senses) -> bool:
        """A two-character name whose first or last character belongs to a word with its
        neighbour: 定西 in 制定西部 (制定 'to draw up', 西部 'the west')."""
        if any(s.explicit for s in senses):
            return False
        words = self.lexicon.words
        for w in (text[max(0, start - 1):start + 1], text[end - 1:end + 1]):
            entry = words.get(w) if len(w) == 2 else None
            if entry and entry[1] != "ns" and entry[0] >= 200:
                return True
        return False

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

    def _english_designations(self, text: str, low: str, names: list[Span]) -> list[Span]:
        out = []
        starts = [s.start for s in names]
        order = sorted(range(len(names)), key=lambda k: names[k].start)
        sorted_names = [names[k] for k in order]
        starts = [s.start for s in sorted_names]
        n = len(text)
        for end_idx, word in self.tail_words.iter(low):
            e = end_idx + 1
            if e < n and text[e].isalnum() or e < n and text[e] == "-":
                continue
            b = e - len(word)
            if b > 0 and text[b - 1].isalnum():
                continue
            m = None
            lo = max(0, b - 90)
            # Try the word starts before the tail's last word, farthest first: the longest tail.
            for ws in [lo] + [k + 1 for k in range(lo, b) if text[k] in " -("] + [b]:
                if ws > b:
                    continue
                m = EN_TAIL_AT_END.match(text, ws, e)
                if m is not None:
                    break
            if m is None:
                continue
            kind = EN_TAIL_KINDS[int(m.lastgroup[1:])]
            start = self._head_start(text, m.start())
            if start is None:
                continue
            start = self._trim_head(text, start, m.start(), sorted_names, starts)
            head = text[start:m.start()].strip()
            if not head:
                continue
            words = [w.strip("()").lower() for w in re.split(r"[\s-]+", head) if w]
            if all(w in GENERIC_HEAD_WORDS for w in words):
                continue
            lo = bisect.bisect_left(starts, start)
            parts = []
            for s in sorted_names[lo:]:
                if s.start >= e:
                    break
                if s.end <= e:
                    parts.append(s)
            out.append(Span(start, e, text[start:e], kind, [], True, parts, "designation"))
        return out

    def _trim_head(self, text, start, tail_start, sorted_names, starts) -> int:
        """Drop "41-sq-km" and a sentence's first word ("Establish Jiangbei New Area")."""
        while True:
            m = re.match(r"(\S+) ", text[start:tail_start])
            if not m:
                return start
            word = m.group(1)
            nxt = start + m.end()
            sentence_start = start == 0 or text[max(0, start - 2):start].strip() in ("", ".", ":", "\u2014") \
                or text[start - 1] == "\n"
            i = bisect.bisect_left(starts, nxt)
            name_follows = i < len(starts) and starts[i] == nxt
            is_name = bisect.bisect_left(starts, start) < len(starts) and starts[bisect.bisect_left(starts, start)] == start
            if word[0].isdigit() or (sentence_start and name_follows and not is_name):
                start = nxt
                continue
            return start

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
                while k > 0 and (_word_char(text[k - 1]) or text[k - 1] in "'’-"):
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
        zh_top = {s.start for s in zh_names if any(
            x.source in ("country", "region", "continent", "group", "feature")
            or x.source == "unit" and x.kind in ("province", "prefecture") for x in s.senses)}
        starts = {}
        for s in zh_names:  # chains of names written together: 湖北荆州
            first = starts.get(s.start, s.start)
            starts.setdefault(s.end, first)
        for s in zh_names:
            head_start = starts.get(s.start, s.start)
            i = s.end
            limit = min(len(text), s.end + ZH_MAX_GAP + self._zh_tail_max)
            best = None
            while i < limit and text[i] not in ZH_STOP and is_cjk(text[i]) and i - s.end <= ZH_MAX_GAP:
                if i > s.end and i in zh_top:
                    break  # another place begins: 安徽位于中国华东地区 is three mentions
                for L in range(self._zh_tail_max, 0, -1):
                    tail = text[i:i + L]
                    if tail in self._zh_tails:
                        if best is None or i + L > best[0]:
                            best = (i + L, self._zh_tails[tail])
                        break
                if best is not None and best[0] - (i if best[0] > i else best[0]) >= 0 \
                        and len(text[:best[0]]) and (best[0] - s.end) > 0 \
                        and not (best[0] == s.end + 1 and text[s.end] in "港站"):
                    break  # the nearest tail, unless it is one weak character (沧州港口型…枢纽)
                i += 1
            if best is None:
                continue
            end, kind = best
            if end - s.end == 1 and text[s.end] in "港站":
                pass
            parts = [p for p in zh_names if p.start >= head_start and p.end <= end]
            out.append(Span(head_start, end, text[head_start:end], kind, [], True, parts,
                            "designation"))
        # 湖北自贸试验区武汉片区: a pilot free trade zone and its area are one designation.
        by_start = {d.start: d for d in out}
        for d in list(out):
            nxt = by_start.get(d.end)
            if nxt is not None and d.text.endswith(("自由贸易试验区", "自贸试验区", "自贸区")) \
                    and nxt.text.endswith("片区"):
                out.append(Span(d.start, nxt.end, text[d.start:nxt.end], "development_zone", [],
                                True, d.parts + nxt.parts, "designation"))
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

    def _directional(self, text: str, names: list[Span]) -> list[Span]:
        """ "western Jiangxi", "central Anhui Province", "Southeast Asia": a region of a place."""
        out = []
        for s in names:
            if not any(x.source in ("unit", "country", "continent") and
                       (x.source != "unit" or x.kind == "province") for x in s.senses):
                continue
            m = re.search(r"(?<![\w-])([A-Za-z]+) $", text[max(0, s.start - 16):s.start])
            if m and m.group(1).lower() in DIRECTIONS:
                start = s.start - len(m.group(0))
                out.append(Span(start, s.end, text[start:s.end], "region_or_belt", [], False, [s],
                                "designation"))
        return out

    def _zh_borders(self, text: str) -> list[Span]:
        """中越边境, 中朝边界: China and a neighbour by their one-character names."""
        out = []
        for m in _ZH_BORDER.finditer(text):
            out.append(Span(m.start(), m.end(), m.group(0), "region_or_belt", [], True, [],
                            "designation"))
        return out

    def _port_of(self, text: str, names: list[Span]) -> list[Span]:
        """ "Port of Jinzhou": the tail written before the name."""
        out = []
        for s in names:
            m = re.search(r"\b(Port|Gulf|Bay|Lake|Mount) of (?:the )?$", text[max(0, s.start - 16):s.start])
            if m:
                start = s.start - len(m.group(0)) + m.start(0) - m.start(0)
                start = s.start - (len(text[max(0, s.start - 16):s.start]) - m.start())
                kind = "lab_or_facility" if m.group(1) == "Port" else (
                    "mountain" if m.group(1) == "Mount" else "other")
                out.append(Span(start, s.end, text[start:s.end], kind, [], True, [s], "designation"))
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
    first = key.split(" ", 1)[0]
    return " " in key and (first in DIRECTIONS or first in ("six", "coastal", "inland")
                           or key.endswith(" china"))


_ZH_BORDER = re.compile("中[" + "".join(COUNTRY_ABBR_ZH) + "](?:边境线|边境|边界|边贸)")


def _word_char(ch: str) -> bool:
    """A letter or digit of a Latin word (a Chinese character next to it is a boundary)."""
    return ch.isalnum() and not is_cjk(ch)


def _possessive(text: str, i: int) -> bool:
    """An apostrophe at ``i`` that starts "'s" ("Jiangxi's"), not a syllable ("Ma'anshan")."""
    return text[i + 1:i + 2] in ("s", "S") and not text[i + 2:i + 3].isalpha()


def _admin(span: Span) -> bool:
    return any(s.source in ("unit", "feature", "group", "country", "continent") for s in span.senses)


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _longest_first(spans: list[Span]) -> list[Span]:
    """Non-overlapping spans, the longest kept where two overlap (then the leftmost)."""
    rank = {"name": 0, "chain": 1, "designation": 2}
    order = sorted(spans, key=lambda s: (-s.length, s.start, rank[s.source]))
    size = max((s.end for s in spans), default=0)
    taken = bytearray(size)
    chosen = []
    for s in order:
        if 1 in taken[s.start:s.end]:
            continue
        taken[s.start:s.end] = b"\x01" * (s.end - s.start)
        chosen.append(s)
    return sorted(chosen, key=lambda s: s.start)
