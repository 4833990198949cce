"""Success criteria: a small grammar of comparisons of outputs with numbers, parsed here, never evaluated as code.

A criterion compares an output (or factor) name with a number and joins comparisons with ``and`` / ``or``
(or ``&`` / ``|``), ``not`` and parentheses::

    criterion  := disjunct (("or" | "|") disjunct)*
    disjunct   := negation (("and" | "&") negation)*
    negation   := "not" negation | "(" criterion ")" | comparison
    comparison := NAME OP NUMBER | NUMBER OP NAME [OP NUMBER]      OP: < <= > >= == !=

``not`` binds tighter than ``and``, which binds tighter than ``or``. ``0.2 < x <= 0.5`` means
``0.2 < x and x <= 0.5``. A criterion is evaluated on a table by column look-ups and NumPy comparisons
only; a run missing (NaN) a value the criterion names does not meet it. Errors are one line naming the expression and
the position (0-based character offset) where it went wrong.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from papsim.errors import InputError

MAX_LENGTH = 1000  # characters; a criterion is a line, not a program
OPERATORS: dict[str, Callable] = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
                                  "==": operator.eq, "!=": operator.ne}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_KEYWORDS = {"and": "and", "&": "and", "or": "or", "|": "or", "not": "not"}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<op><=|>=|==|!=|<|>)
  | (?P<punct>[()&|])
""", re.VERBOSE)


def _shown(text: str, k: int = 60) -> str:
    """A value echoed in an error line, cut to ``k`` characters."""
    return text if len(text) <= k else text[:k] + "…"


class CriterionError(InputError):
    """A criterion that does not parse: one line with the expression and the position."""


@dataclass(frozen=True)
class Token:
    kind: str  # 'number', 'name', 'op', 'and', 'or', 'not', '(', ')', 'end'
    text: str
    pos: int


@dataclass(frozen=True)
class Compare:
    name: str
    op: str  # the operator with the name on the left
    value: float


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class Join:
    kind: str  # 'and' or 'or'
    left: Node
    right: Node


Node = Compare | Not | Join


def tokens(expression: str, where: str = "--success") -> list[Token]:
    """The tokens of a criterion, ending with an 'end' token."""
    if len(expression) > MAX_LENGTH:
        raise CriterionError(f"{where}: '{_shown(expression)}' is {len(expression)} characters long; a criterion "
                             f"has at most {MAX_LENGTH}")
    out, pos = [], 0
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None:
            _fail(expression, pos, "a name, a number, a comparison (< <= > >= == !=), and, or, not or a "
                                   "parenthesis", where)
        kind, text = match.lastgroup, match[0]
        if kind == "name" and text in _KEYWORDS:
            kind = _KEYWORDS[text]
        elif kind == "punct":
            kind = _KEYWORDS.get(text, text)
        if kind != "space":
            out.append(Token(kind, text, pos))
        pos = match.end()
    out.append(Token("end", "", len(expression)))
    return out


def parse(expression: str, where: str = "--success") -> Node:
    """The syntax tree of a criterion; raises CriterionError (one line) if it is not one."""
    return _Parser(expression, where).criterion()


def names(expression: str, where: str = "--success") -> list[Token]:
    """The name tokens of a valid criterion, in order (each with its position, to rewrite it)."""
    parse(expression, where)
    return [t for t in tokens(expression, where) if t.kind == "name"]


def rename(expression: str, new_name: Callable[[str], str], where: str = "--success") -> str:
    """The criterion with each name replaced by ``new_name(name)``, everything else kept as written."""
    out, last = [], 0
    for token in names(expression, where):
        out += [expression[last:token.pos], new_name(token.text)]
        last = token.pos + len(token.text)
    return "".join(out) + expression[last:]


def evaluate(expression: str, table: pd.DataFrame, where: str = "--success") -> np.ndarray:
    """Which rows of ``table`` meet the criterion (a boolean array); an unknown name is an InputError."""
    tree = parse(expression, where)
    missing = [t.text for t in names(expression, where) if t.text not in table.columns]
    if missing:
        columns = ", ".join(map(str, table.columns[:10])) + (f", ... ({len(table.columns)} in all)"
                                                             if len(table.columns) > 10 else "")
        raise InputError(f"{where}: '{_shown(expression)}': no output or factor '{missing[0]}' in the runs "
                         f"(columns: {columns})")
    used = [pd.to_numeric(table[n], errors="coerce").to_numpy(dtype=float) for n in dict.fromkeys(
        t.text for t in names(expression, where))]
    return _value(tree, table) & ~np.isnan(np.vstack(used)).any(axis=0)


def _value(node: Node, table: pd.DataFrame) -> np.ndarray:
    if isinstance(node, Compare):
        column = pd.to_numeric(table[node.name], errors="coerce").to_numpy(dtype=float)
        return OPERATORS[node.op](column, node.value)
    if isinstance(node, Not):
        return ~_value(node.operand, table)
    left, right = _value(node.left, table), _value(node.right, table)
    return left & right if node.kind == "and" else left | right


def _fail(expression: str, pos: int, expected: str, where: str) -> None:
    found = f"at {_shown(expression[pos:], 12)!r}" if pos < len(expression) else "at the end"
    raise CriterionError(f"{where}: cannot read '{_shown(expression)}' at position {pos} ({found}): "
                         f"expected {expected}")


class _Parser:
    """Recursive descent over the tokens of one criterion."""

    def __init__(self, expression: str, where: str) -> None:
        self.expression, self.where = expression, where
        self.tokens, self.i = tokens(expression, where), 0

    def criterion(self) -> Node:
        node = self._or()
        if self._peek().kind != "end":
            self._expected("and, or, or the end of the criterion")
        return node

    def _peek(self) -> Token:
        return self.tokens[self.i]

    def _take(self, kind: str, expected: str) -> Token:
        token = self._peek()
        if token.kind != kind:
            self._expected(expected)
        self.i += 1
        return token

    def _expected(self, what: str) -> None:
        _fail(self.expression, self._peek().pos, what, self.where)

    def _joined(self, kind: str, operand: Callable[[], Node]) -> Node:
        """``operand (kind operand)*``, joined from the left."""
        node = operand()
        while self._peek().kind == kind:
            self.i += 1
            node = Join(kind, node, operand())
        return node

    def _or(self) -> Node:
        return self._joined("or", self._and)

    def _and(self) -> Node:
        return self._joined("and", self._not)

    def _not(self) -> Node:
        kind = self._peek().kind
        if kind == "not":
            self.i += 1
            return Not(self._not())
        if kind == "(":
            self.i += 1
            node = self._or()
            self._take(")", "a closing parenthesis")
            return node
        return self._comparison()

    def _comparison(self) -> Node:
        first = self._peek()
        if first.kind == "name":
            self.i += 1
            op = self._take("op", "a comparison (< <= > >= == !=)").text
            return Compare(first.text, op, self._number())
        if first.kind == "number":
            low = self._number()
            op = self._take("op", "a comparison (< <= > >= == !=)").text
            name = self._take("name", "an output name").text
            node: Node = Compare(name, _FLIP[op], low)
            if self._peek().kind == "op":
                op = self._take("op", "a comparison").text
                node = Join("and", node, Compare(name, op, self._number()))
            return node
        self._expected("an output name, a number, not or a parenthesis")
        raise AssertionError  # not reached

    def _number(self) -> float:
        return float(self._take("number", "a number").text)
