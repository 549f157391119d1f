"""The anonymity rules of the trustees' report (R88), in one module so they can be read and tested in one place.

1. **Small numbers.** A count from 1 to 4 is never shown: it reads "fewer than 5". Nought is shown: it names
   nobody.
2. **No recovery by subtraction.** Figures that add up (the rows of a breakdown and their total, the schools of a
   trust and the trust's figure, the parts of a share) are given to a `Table` as relations. Where a hidden figure
   could be worked out from the figures shown, another figure is hidden too ("not shown"): one from the same
   relation, the smallest that makes the hidden ones impossible to pin down. A figure is pinned down when the
   shown figures leave it only one possible value, either by linear algebra over all the relations together
   (rows, columns and trust totals combined) or by the bounds a reader knows (a small figure is 1 to 4, a figure
   withheld to protect another is 0 or 5 and more).
3. Anything worked out from figures (a change since last term, a percentage, a point on a chart) is shown only
   when every figure it is worked out from is shown; a median only when it is taken over 5 or more.

A hidden figure keeps no value (`Figure.value` is None), so a template or a chart cannot print it by mistake.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction

SMALL_LOW, SMALL_HIGH = 1, 4
MIN_SHOWN_MEDIAN_COUNT = 5
FEWER_THAN_5 = "fewer than 5"
NOT_SHOWN = "not shown"

SMALL = "small"
SECONDARY = "secondary"


def is_small(count: int) -> bool:
    return SMALL_LOW <= count <= SMALL_HIGH


@dataclass(frozen=True)
class Figure:
    """A count as the report may show it: its value, or why it is hidden (and then no value at all)."""

    value: int | None
    hidden: str = ""

    @property
    def shown(self) -> bool:
        return not self.hidden

    def __str__(self) -> str:
        if self.hidden == SMALL:
            return FEWER_THAN_5
        if self.hidden:
            return NOT_SHOWN
        return f"{self.value:,}"


def small_only(value: int) -> Figure:
    """A count that stands alone (no total, no parts): only the small-numbers rule applies."""
    return Figure(value=None, hidden=SMALL) if is_small(value) else Figure(value=value)


def share(part: Figure, whole: Figure, complement: Figure) -> int | None:
    """A whole-number percentage, only when the part, the rest and the whole are all shown (rule 3)."""
    if not (part.shown and whole.shown and complement.shown) or not whole.value:
        return None
    assert part.value is not None  # a shown figure has its value; only a hidden one has none
    return round(100 * part.value / whole.value)


def change(now: Figure, before: Figure) -> int | None:
    """The difference between two figures, only when both are shown (rule 3)."""
    if now.shown and before.shown:
        assert now.value is not None and before.value is not None  # a shown figure has its value
        return now.value - before.value
    return None


@dataclass(frozen=True)
class _Relation:
    terms: tuple[tuple[Hashable, int], ...]  # (key, +1 or -1): the sum of coefficient × value is 0 (or ≥ 0)
    at_least: bool = False

    def members(self) -> list[Hashable]:
        return [key for key, _ in self.terms]


class Table:
    """Counts that are published together and the relations between them, to be protected as one.

    Keys are anything hashable, e.g. ("school 3", "concerns"). Add every count, then the relations, then call
    `protect()`. Counts are marked `keep` when they should be the last chosen to protect another (a headline), and
    `locked` when another report shows them too: a locked count is hidden only by the small-numbers rule (or as
    `hide` says), never chosen here, so every report that shows it shows it the same way.
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, int] = {}
        self._keep: set[Hashable] = set()
        self._locked: dict[Hashable, bool] = {}
        self._relations: list[_Relation] = []

    def __contains__(self, key) -> bool:
        return key in self._values

    def add(self, key: Hashable, value: int, *, keep: bool = False, locked: bool = False, hide: bool | None = None):
        if value < 0:
            raise ValueError(f"a count cannot be negative: {key!r}")
        if key in self._values and self._values[key] != value:
            raise ValueError(f"{key!r} added twice with different values")
        self._values[key] = int(value)
        if keep:
            self._keep.add(key)
        if locked:
            self._locked[key] = is_small(value) if hide is None else hide

    def total(self, total_key: Hashable, member_keys: Iterable[Hashable]) -> None:
        """`total_key` is the sum of `member_keys`."""
        self.equal([total_key], member_keys)

    def at_least(self, total_key: Hashable, member_keys: Iterable[Hashable]) -> None:
        """The members add up to the total or more (a concern counted under each of its kinds)."""
        self._relate([(key, 1) for key in member_keys] + [(total_key, -1)], at_least=True)

    def equal(self, left_keys: Iterable[Hashable], right_keys: Iterable[Hashable]) -> None:
        """The sum of `left_keys` is the sum of `right_keys`."""
        self._relate([(key, 1) for key in left_keys] + [(key, -1) for key in right_keys], at_least=False)

    def _relate(self, terms: list[tuple[Hashable, int]], *, at_least: bool) -> None:
        merged: dict[Hashable, int] = {}
        for key, coefficient in terms:
            if key not in self._values:
                raise KeyError(f"add {key!r} before relating it")
            merged[key] = merged.get(key, 0) + coefficient
        cleaned = tuple((key, c) for key, c in merged.items() if c)
        if any(abs(c) != 1 for _, c in cleaned):
            raise ValueError("a figure appears more than once on one side of a relation")
        if len(cleaned) >= 2:
            self._relations.append(_Relation(cleaned, at_least))

    # --- Protecting ---------------------------------------------------------------------------------------------

    def protect(self) -> dict[Hashable, Figure]:
        hidden: dict[Hashable, str] = {}
        for key, value in self._values.items():
            if key in self._locked:
                if self._locked[key]:
                    hidden[key] = SMALL if is_small(value) else SECONDARY
            elif is_small(value):
                hidden[key] = SMALL
        given_up: set[Hashable] = set()
        for _ in range(len(self._values) + 1):
            problem = self._first_pinned(hidden, given_up)
            if problem is None:
                break
            key, relations = problem
            chosen = self._choose(hidden, relations)
            if chosen is None:
                # Everything near it is hidden, locked or nought: nothing more can be hidden to help.
                given_up.add(key)
                continue
            hidden[chosen] = SECONDARY
        return {
            key: Figure(value=None, hidden=hidden[key]) if key in hidden else Figure(value=value)
            for key, value in self._values.items()
        }

    def _bounds(self, key, hidden) -> tuple[float, float]:
        if hidden[key] == SMALL:
            return SMALL_LOW, SMALL_HIGH
        # Withheld to protect another: a reader knows only that it is not 1 to 4.
        return (SMALL_HIGH + 1, math.inf) if self._values[key] > SMALL_HIGH else (0, math.inf)

    def _interval(self, relation: _Relation, key, hidden, bounds=None) -> tuple[float, float]:
        """What a reader can tell about hidden `key` from one relation, the shown figures and what they know of the
        other hidden figures (`bounds`, else the rules' bounds)."""
        bounds = bounds or {}
        constant = sum(c * self._values[k] for k, c in relation.terms if k not in hidden)
        others_low: float = 0  # sums of bounds, which may be infinite
        others_high: float = 0
        own = 0
        for k, c in relation.terms:
            if k == key:
                own = c
                continue
            if k not in hidden:
                continue
            low, high = bounds.get(k) or self._bounds(k, hidden)
            a, b = c * low, c * high
            others_low += min(a, b)
            others_high += max(a, b)
        low, high = bounds.get(key) or self._bounds(key, hidden)
        # own·x + others + constant = 0 (or ≥ 0)
        if own == 1:
            derived_low = -constant - others_high
            derived_high = -constant - others_low if not relation.at_least else math.inf
        else:
            derived_low = constant + others_low if not relation.at_least else -math.inf
            derived_high = constant + others_high
        return max(low, derived_low), min(high, derived_high)

    def _pinned_by_bounds(self, relation: _Relation, hidden) -> Hashable | None:
        for key in relation.members():
            if key in hidden:
                low, high = self._interval(relation, key, hidden)
                if low >= high:
                    return key
        return None

    def _propagated(self, hidden) -> list[Hashable]:
        """Small figures a reader can pin by chaining the relations: each relation narrows what the others leave
        possible, until nothing narrows further (a school's small figure pinned through the trust's totals)."""
        bounds = {key: self._bounds(key, hidden) for key in hidden}
        for _ in range(4 * len(self._relations) + 4):
            narrowed = False
            for relation in self._relations:
                for key in relation.members():
                    if key not in hidden:
                        continue
                    low, high = self._interval(relation, key, hidden, bounds)
                    low = low if low == -math.inf else math.ceil(low)
                    high = high if high == math.inf else math.floor(high)
                    tightened = (max(low, bounds[key][0]), min(high, bounds[key][1]))
                    if hidden[key] == SECONDARY and self._values[key] == 0:
                        # A reader knows a withheld figure is 0, or 5 and more: never 1 to 4.
                        low, high = tightened
                        if SMALL_LOW <= low <= SMALL_HIGH:
                            low = SMALL_HIGH + 1
                        if SMALL_LOW <= high <= SMALL_HIGH:
                            high = 0
                        tightened = (low, high) if low <= high else (0, 0)
                    if tightened != bounds[key]:
                        bounds[key] = tightened
                        narrowed = True
            if not narrowed:
                break
        # What this guards is the small figures: a larger figure withheld to protect one may be narrowed this way
        # (a single total or the algebra may never give it away: see _first_pinned) as long as no small one is.
        return [key for key in hidden if bounds[key][0] >= bounds[key][1] and is_small(self._values[key])]

    def _first_pinned(self, hidden, given_up) -> tuple[Hashable, list[_Relation]] | None:
        for relation in self._relations:
            key = self._pinned_by_bounds(relation, hidden)
            if key is not None and key not in given_up:
                return key, [relation]
        for key in _determined_by_algebra(self._relations, hidden):
            if key not in given_up:
                return key, [r for r in self._relations if key in r.members() and not r.at_least]
        for key in self._propagated(hidden):
            if key not in given_up:
                return key, [r for r in self._relations if key in r.members()]
        return None

    def _choose(self, hidden, relations: list[_Relation]) -> Hashable | None:
        """The figure to withhold: from the relations that give the secret away, a shown one that is not locked;
        ordinary figures before headlines, figures of 5 or more before noughts, and the smallest that leaves the
        relation safe (else the largest). Where those relations have nothing left to withhold, the search widens to
        the relations joined to them through hidden figures (a grand total behind two hidden subtotals)."""
        seen: set[int] = set()
        layer = list(relations)
        while layer:
            found = []
            for relation in layer:
                seen.add(id(relation))
                candidate = self._candidate_in(relation, hidden)
                if candidate is not None:
                    found.append(candidate)
            if found:
                # Across the relations of one step, a headline is the last resort.
                return min(found, key=lambda k: (k in self._keep, self._values[k] == 0))
            reached = {k for relation in layer for k in relation.members() if k in hidden}
            layer = [r for r in self._relations if id(r) not in seen and reached.intersection(r.members())]
        return None

    def _candidate_in(self, relation: _Relation, hidden) -> Hashable | None:
        candidates = [k for k in relation.members() if k not in hidden and k not in self._locked]
        if not candidates:
            return None
        candidates.sort(key=lambda k: (k in self._keep, self._values[k] == 0, self._values[k]))
        for candidate in candidates:
            trial = {**hidden, candidate: SECONDARY}
            if self._pinned_by_bounds(relation, trial) is None:
                return candidate
        non_zero = [k for k in candidates if self._values[k]] or candidates
        return max(non_zero, key=lambda k: (k not in self._keep, self._values[k]))


def _determined_by_algebra(relations: list[_Relation], hidden) -> list[Hashable]:
    """Hidden figures that the equalities, taken together, fix to one value (whatever the bounds).

    A hidden figure x is fixed exactly when its unit vector lies in the row space of the equations restricted to
    the hidden figures: in reduced row echelon form, a row with a single non-zero entry. Equations are split into
    groups that share no hidden figure, so each elimination stays small.
    """
    rows = []
    for relation in relations:
        if relation.at_least:
            continue
        row = {k: c for k, c in relation.terms if k in hidden}
        if row:
            rows.append(row)
    order = {key: index for index, key in enumerate(hidden)}
    determined: list[Hashable] = []
    for component in _components(rows):
        keys = sorted({k for row in component for k in row}, key=order.__getitem__)
        position = {k: i for i, k in enumerate(keys)}
        matrix = [[Fraction(0)] * len(keys) for _ in component]
        for r, row in enumerate(component):
            for k, c in row.items():
                matrix[r][position[k]] = Fraction(c)
        for pivot_row in _reduced_rows(matrix):
            non_zero = [i for i, value in enumerate(pivot_row) if value]
            if len(non_zero) == 1:
                determined.append(keys[non_zero[0]])
    return sorted(determined, key=order.__getitem__)


def _components(rows: list[dict]) -> list[list[dict]]:
    parent = list(range(len(rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_row_with: dict = {}
    for index, row in enumerate(rows):
        for key in row:
            if key in first_row_with:
                parent[find(index)] = find(first_row_with[key])
            else:
                first_row_with[key] = index
    groups: dict[int, list[dict]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(find(index), []).append(row)
    return list(groups.values())


def _reduced_rows(matrix: list[list[Fraction]]) -> list[list[Fraction]]:
    """The non-zero rows of the reduced row echelon form (exact arithmetic)."""
    rows = [row[:] for row in matrix]
    width = len(rows[0]) if rows else 0
    pivot_row = 0
    for column in range(width):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column]), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        rows[pivot_row] = [value / pivot for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column]:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    return rows[:pivot_row]
