"""CQL2 text filters (``filter-lang=cql2-text``): parsed by pygeofilter, evaluated here.

:func:`compile_filter` turns the text into a predicate over one feature — its queryable values
(``queryables.record``) and its shapely shape. What is evaluated: AND, OR, NOT; =, <>, <, <=, >,
>=; LIKE (``%`` any run, ``_`` one character, ``\\`` escapes), BETWEEN, IN, IS NULL; CASEI and
ACCENTI; S_INTERSECTS and the other spatial functions (S_EQUALS, S_DISJOINT, S_TOUCHES,
S_WITHIN, S_OVERLAPS, S_CROSSES, S_CONTAINS) against WKT geometries or BBOX(...) in CRS84;
property-property comparisons. A list-valued queryable (province, document, date) passes a test
when one of its values does.

Everything is checked before any feature is: an unknown property, a function or operator we do
not evaluate, a text compared with a number, all raise :class:`ParamError` with what and where.
pygeofilter's own native backend builds Python source and ``eval``s it; evaluating the tree here
keeps request text out of any code path and gives these messages.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Callable, Mapping

from pygeofilter import ast, values

from . import ParamError
from .queryables import QUERYABLES, Queryable

Predicate = Callable[[Mapping[str, Any], Any], bool]
Getter = Callable[[Mapping[str, Any], Any], Any]

_COMPARE = {
    ast.ComparisonOp.EQ: lambda a, b: a == b,
    ast.ComparisonOp.NE: lambda a, b: a != b,
    ast.ComparisonOp.LT: lambda a, b: a < b,
    ast.ComparisonOp.LE: lambda a, b: a <= b,
    ast.ComparisonOp.GT: lambda a, b: a > b,
    ast.ComparisonOp.GE: lambda a, b: a >= b,
}
_SPATIAL = {
    ast.SpatialComparisonOp.INTERSECTS: "intersects", ast.SpatialComparisonOp.DISJOINT: "disjoint",
    ast.SpatialComparisonOp.CONTAINS: "contains", ast.SpatialComparisonOp.WITHIN: "within",
    ast.SpatialComparisonOp.TOUCHES: "touches", ast.SpatialComparisonOp.CROSSES: "crosses",
    ast.SpatialComparisonOp.OVERLAPS: "overlaps", ast.SpatialComparisonOp.EQUALS: "equals",
}


def parse(text: str):
    """The pygeofilter tree of a CQL2 text; ParamError with the position of a syntax error."""
    from lark.exceptions import LarkError
    from pygeofilter.parsers.cql2_text import parse as parse_text

    try:
        return parse_text(text)
    except LarkError as exc:
        where = ""
        if getattr(exc, "column", None) and getattr(exc, "line", None):
            where = f" at line {exc.line}, column {exc.column}"
        raise ParamError(f"filter is not valid CQL2 text{where}: near {_near(text, exc)!r}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ParamError(f"filter is not valid CQL2 text: {str(exc)[:120]}") from None


def _near(text: str, exc) -> str:
    pos = getattr(exc, "pos_in_stream", None)
    if pos is None:
        pos = getattr(exc, "start_pos", None)
    if isinstance(pos, int):
        return text[pos:pos + 30]
    return text[:30]


def compile_filter(text: str, queryables: Mapping[str, Queryable] = QUERYABLES) -> Predicate:
    """A predicate ``(record, shape) -> bool`` for a CQL2 text filter."""
    tree = parse(text)
    return _Compiler(queryables).predicate(tree)


def like_regex(pattern: str, nocase: bool = False) -> re.Pattern:
    """A CQL2 LIKE pattern as an anchored regular expression."""
    out, escaped = [], False
    for ch in pattern:
        if escaped:
            out.append(re.escape(ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "%":
            out.append(".*")
        elif ch == "_":
            out.append(".")
        else:
            out.append(re.escape(ch))
    if escaped:
        out.append(re.escape("\\"))
    return re.compile("".join(out) + r"\Z", re.S | (re.I if nocase else 0))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (date, datetime)):
        return "date"
    return "geometry"


_KIND_OF = {"string": "string", "integer": "number", "boolean": "boolean", "date": "date",
            "geometry": "geometry"}


class _Value:
    """A compiled operand: a getter, whether it yields a list, and its kind (for type checks)."""

    def __init__(self, get: Getter, kind: str | None, multi: bool = False, label: str = "a value"):
        self.get, self.kind, self.multi, self.label = get, kind, multi, label

    def values(self, rec, shape) -> tuple:
        v = self.get(rec, shape)
        if self.multi:
            return tuple(v or ())
        return (v,)


class _Compiler:
    def __init__(self, queryables: Mapping[str, Queryable]):
        self.queryables = queryables

    # -- predicates ------------------------------------------------------------------------------
    def predicate(self, node) -> Predicate:
        if isinstance(node, ast.And):
            a, b = self.predicate(node.lhs), self.predicate(node.rhs)
            return lambda r, s: a(r, s) and b(r, s)
        if isinstance(node, ast.Or):
            a, b = self.predicate(node.lhs), self.predicate(node.rhs)
            return lambda r, s: a(r, s) or b(r, s)
        if isinstance(node, ast.Not):
            a = self.predicate(node.sub_node)
            return lambda r, s: not a(r, s)
        if isinstance(node, ast.Comparison):
            return self.comparison(node)
        if isinstance(node, ast.Between):
            return self.between(node)
        if isinstance(node, ast.Like):
            return self.like(node)
        if isinstance(node, ast.In):
            return self.in_(node)
        if isinstance(node, ast.IsNull):
            return self.is_null(node)
        if isinstance(node, ast.SpatialComparisonPredicate):
            return self.spatial(node)
        if isinstance(node, bool):
            return lambda r, s: node
        if isinstance(node, ast.Attribute):
            operand = self.operand(node)
            if operand.kind != "boolean":
                raise ParamError(f"filter: {node.name} is not a boolean; compare it with a value")
            return lambda r, s: bool(operand.get(r, s))
        raise ParamError(f"filter: {_describe(node)} is not supported here; use comparisons, LIKE, "
                         "BETWEEN, IN, IS NULL, CASEI, ACCENTI and the S_ spatial functions")

    def comparison(self, node) -> Predicate:
        lhs, rhs = self.operand(node.lhs), self.operand(node.rhs)
        self.same_kind(lhs, rhs, node.op.value)
        if "geometry" in (lhs.kind, rhs.kind):
            raise ParamError("filter: compare geometries with S_EQUALS or S_INTERSECTS, not "
                             f"{node.op.value}")
        test = _COMPARE[node.op]
        if lhs.kind == "date" or rhs.kind == "date":
            lhs, rhs = _as_date(lhs), _as_date(rhs)

        def compare(r, s):
            return any(a is not None and b is not None and test(a, b)
                       for a in lhs.values(r, s) for b in rhs.values(r, s))
        return compare

    def between(self, node) -> Predicate:
        value, low, high = self.operand(node.lhs), self.operand(node.low), self.operand(node.high)
        self.same_kind(value, low, "BETWEEN")
        self.same_kind(value, high, "BETWEEN")
        if value.kind not in ("number", "date", None):
            raise ParamError(f"filter: BETWEEN needs numbers or dates; {value.label} is a {value.kind}")
        if value.kind == "date":
            value, low, high = _as_date(value), _as_date(low), _as_date(high)
        negate = node.not_

        def between(r, s):
            lows, highs = low.values(r, s), high.values(r, s)
            hit = any(v is not None and lo is not None and hi is not None and lo <= v <= hi
                      for v in value.values(r, s) for lo in lows for hi in highs)
            return hit != negate
        return between

    def like(self, node) -> Predicate:
        value = self.operand(node.lhs)
        if value.kind not in ("string", None):
            raise ParamError(f"filter: LIKE needs text; {value.label} is a {value.kind}")
        pattern_node = node.pattern
        fold = None
        while isinstance(pattern_node, ast.Function) and pattern_node.name.lower() in ("lower", "casei", "accenti") \
                and len(pattern_node.arguments) == 1:
            fold = _fold(pattern_node.name.lower(), fold)
            pattern_node = pattern_node.arguments[0]
        if not isinstance(pattern_node, str):
            raise ParamError("filter: the pattern of LIKE must be a text literal such as 'Wu%'")
        pattern = pattern_node if fold is None else fold(pattern_node)
        regex = like_regex(pattern, bool(getattr(node, "nocase", False)))
        negate = node.not_

        def like(r, s):
            hit = any(isinstance(v, str) and regex.match(v) for v in value.values(r, s))
            return hit != negate
        return like

    def in_(self, node) -> Predicate:
        value = self.operand(node.lhs)
        options = [self.operand(o) for o in node.sub_nodes]
        for option in options:
            self.same_kind(value, option, "IN")
        negate = node.not_

        def in_(r, s):
            wanted = {v for o in options for v in o.values(r, s)}
            hit = any(v in wanted for v in value.values(r, s) if v is not None)
            return hit != negate
        return in_

    def is_null(self, node) -> Predicate:
        value = self.operand(node.lhs)
        negate = node.not_

        def is_null(r, s):
            got = value.values(r, s)
            null = all(v is None or v == "" for v in got)
            return null != negate
        return is_null

    def spatial(self, node) -> Predicate:
        if node.op not in _SPATIAL:
            raise ParamError(f"filter: {node.op.value} is not supported")
        lhs, rhs = self.operand(node.lhs), self.operand(node.rhs)
        for side in (lhs, rhs):
            if side.kind != "geometry":
                raise ParamError(f"filter: {node.op.value} compares geometries; {side.label} is a {side.kind}")
        method = _SPATIAL[node.op]

        def spatial(r, s):
            a, b = lhs.get(r, s), rhs.get(r, s)
            return a is not None and b is not None and bool(getattr(a, method)(b))
        return spatial

    # -- operands --------------------------------------------------------------------------------
    def operand(self, node) -> _Value:
        if isinstance(node, ast.Attribute):
            q = self.queryables.get(node.name)
            if q is None:
                raise ParamError(f"filter: unknown property {node.name[:60]!r}; the queryables are "
                                 + ", ".join(self.queryables))
            if q.kind == "geometry":
                return _Value(lambda r, s: s, "geometry", label=q.name)
            name = q.name
            return _Value(lambda r, s: r.get(name), _KIND_OF[q.kind], q.multi, label=q.name)
        if isinstance(node, ast.Function):
            return self.function(node)
        if isinstance(node, values.Geometry):
            from shapely.geometry import shape

            try:
                geometry = shape(node.geometry)
            except Exception as exc:  # shapely raises several kinds for bad coordinates
                raise ParamError(f"filter: the geometry cannot be read: {str(exc)[:80]}") from None
            return _Value(lambda r, s: geometry, "geometry", label="a geometry")
        if isinstance(node, values.Envelope):
            from shapely.geometry import box

            geometry = box(node.x1, node.y1, node.x2, node.y2)
            return _Value(lambda r, s: geometry, "geometry", label="an envelope")
        if isinstance(node, (bool, int, float, str, date, datetime)):
            return _Value(lambda r, s: node, _kind(node), label=repr(node))
        if node is None:
            return _Value(lambda r, s: None, None, label="NULL")
        raise ParamError(f"filter: {_describe(node)} is not supported here")

    def function(self, node) -> _Value:
        name = node.name.lower()
        if name == "bbox":
            args = node.arguments
            if len(args) not in (4, 6) or not all(isinstance(a, (int, float)) and not isinstance(a, bool)
                                                  for a in args):
                raise ParamError("filter: BBOX takes 4 (or 6) numbers: minx, miny, maxx, maxy")
            minx, miny, maxx, maxy = (args[0], args[1], args[2], args[3]) if len(args) == 4 else \
                (args[0], args[1], args[3], args[4])
            if minx > maxx or miny > maxy:
                raise ParamError("filter: BBOX must give its minimum before its maximum")
            from shapely.geometry import box

            geometry = box(minx, miny, maxx, maxy)
            return _Value(lambda r, s: geometry, "geometry", label="BBOX(...)")
        if name in ("lower", "casei", "accenti") and len(node.arguments) == 1:
            inner = self.operand(node.arguments[0])
            if inner.kind not in ("string", None):
                raise ParamError(f"filter: {name.upper()} takes text; {inner.label} is a {inner.kind}")
            fold = _fold(name)
            if inner.multi:
                return _Value(lambda r, s: tuple(fold(v) if isinstance(v, str) else v
                                                 for v in inner.get(r, s) or ()),
                              "string", True, label=inner.label)

            def folded(r, s):
                v = inner.get(r, s)
                return fold(v) if isinstance(v, str) else v
            return _Value(folded, "string", label=inner.label)
        raise ParamError(f"filter: unknown function {node.name[:40]!r}; CASEI, ACCENTI and BBOX are "
                         "available")

    @staticmethod
    def same_kind(a: _Value, b: _Value, op: str) -> None:
        if a.kind and b.kind and a.kind != b.kind and {a.kind, b.kind} != {"date"}:
            raise ParamError(f"filter: {op} between {a.label} ({a.kind}) and {b.label} ({b.kind}); "
                             "compare like with like")


def _fold(name: str, then=None):
    """CASEI folds case, ACCENTI accents (query.fold does both, so either works on CJK text too)."""
    if name == "accenti":
        def fold(text):
            import unicodedata
            return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    else:
        def fold(text):
            return text.casefold()
    if then is None:
        return fold
    return lambda text: fold(then(text))


def _as_date(operand: _Value) -> _Value:
    def as_date(v):
        return v.date() if isinstance(v, datetime) else v
    get = operand.get
    if operand.multi:
        return _Value(lambda r, s: tuple(as_date(v) for v in get(r, s) or ()), "date", True, operand.label)
    return _Value(lambda r, s: as_date(get(r, s)), operand.kind, False, operand.label)


def _describe(node) -> str:
    name = type(node).__name__
    op = getattr(node, "op", None)
    return f"{op.value}" if op is not None and hasattr(op, "value") else name

