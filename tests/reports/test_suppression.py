"""The anonymity rules (R88): small numbers, and no hidden figure recovered by subtraction, algebra or bounds.

The attacker below is independent of the module: it tries every value each hidden figure could take (a small one
1 to 4, a withheld one 0 or 5 and more) and keeps the assignments that agree with every total shown. A small
figure is protected when at least two values remain possible, whatever the attacker combines. A figure withheld to
protect it is never given away by one total (the subtraction attack) or by the totals' algebra; chaining them may
narrow it, as long as no small figure is pinned.
"""

import random

import pytest

from safeguarding.reports import suppression
from safeguarding.reports.suppression import FEWER_THAN_5, NOT_SHOWN, Figure, Table

CEILING = 16  # the attacker tries withheld figures up to this (the tables below stay under it)


def possible_values(table_rows, relations, figures):
    """Every value each hidden figure can take, given the shown figures and the relations (a backtracking search:
    each relation is checked as soon as all its figures have a value).

    `relations` are (left keys, right keys, at_least): sum(left) == sum(right), or sum(left) >= sum(right).
    """
    hidden = [key for key, figure in figures.items() if not figure.shown]
    choices = {
        key: range(1, 5) if figures[key].hidden == suppression.SMALL else [0, *range(5, CEILING + 1)] for key in hidden
    }
    position = {key: i for i, key in enumerate(hidden)}
    checks_at = {i: [] for i in range(len(hidden))}
    for left, right, at_least in relations:
        last = max((position[k] for k in left + right if k in position), default=None)
        if last is not None:
            checks_at[last].append((left, right, at_least))
    world = {k: f.value for k, f in figures.items() if f.shown}
    found = {key: set() for key in hidden}

    def holds(left, right, at_least):
        a, b = sum(world[k] for k in left), sum(world[k] for k in right)
        return a >= b if at_least else a == b

    def assign(i):
        if i == len(hidden):
            for key in hidden:
                found[key].add(world[key])
            return
        key = hidden[i]
        for value in choices[key]:
            world[key] = value
            if all(holds(*check) for check in checks_at[i]):
                assign(i + 1)
        del world[key]

    assign(0)
    return found


def protected(values: dict, relations) -> dict:
    table = Table()
    for key, value in values.items():
        table.add(key, value)
    for left, right, at_least in relations:
        if at_least:
            table.at_least(right[0], left)
        else:
            table.equal(left, right)
    return table.protect()


def assert_nothing_recoverable(values, relations):
    figures = protected(values, relations)
    for key, value in values.items():
        if suppression.is_small(value):
            assert not figures[key].shown, f"{key} = {value} is shown"
    options = possible_values(values, relations, figures)
    for key, seen in options.items():
        assert values[key] in seen  # the truth is among them
        if suppression.is_small(values[key]):
            assert len(seen) >= 2, f"{key} is pinned to {seen}"
    for left, right, at_least in relations:
        hidden = [k for k in left + right if not figures[k].shown]
        if not at_least:
            assert len(hidden) != 1, f"subtraction gives {hidden[0]} away"
    return figures


def test_counts_from_1_to_4_read_fewer_than_5_and_others_are_shown():
    """Nought and 5 are shown; 1 to 4 read "fewer than 5" and keep no value to print."""
    figures = protected({"a": 0, "b": 1, "c": 4, "d": 5, "e": 12}, [])
    assert [str(figures[k]) for k in "abcde"] == ["0", FEWER_THAN_5, FEWER_THAN_5, "5", "12"]
    assert figures["b"].value is None and figures["c"].value is None


def test_the_subtraction_attack_on_a_total_fails():
    """Neglect 12, bullying 3, self-harm 20, total 35: 35 - 12 - 20 would give the 3, so another figure goes."""
    values = {"neglect": 12, "bullying": 3, "self_harm": 20, "total": 35}
    relations = [(["neglect", "bullying", "self_harm"], ["total"], False)]
    figures = assert_nothing_recoverable(values, relations)
    assert figures["total"].shown, "the headline is kept when a part can be withheld instead"
    assert str(figures["neglect"]) == NOT_SHOWN
    shown = sum(f.value for k, f in figures.items() if f.shown and k != "total")
    assert figures["total"].value - shown != 3


def test_a_withheld_figure_is_not_pinned_by_its_bounds():
    """1 and 5 with a total of 6: withholding the 5 alone would pin both (a small figure is at least 1, a withheld
    one at least 5), so the total goes too, or a larger figure."""
    values = {"a": 1, "b": 5, "c": 9, "total": 15}
    assert_nothing_recoverable(values, [(["a", "b", "c"], ["total"], False)])


def test_two_small_figures_of_one_are_not_pinned_by_their_sum():
    """1 and 1 beside 10, total 12: the two hidden would add up to 2, so both would be 1; more is withheld."""
    values = {"a": 1, "b": 1, "c": 10, "total": 12}
    figures = assert_nothing_recoverable(values, [(["a", "b", "c"], ["total"], False)])
    assert sum(1 for f in figures.values() if not f.shown) >= 3


def test_a_line_of_noughts_around_a_small_figure_hides_the_total():
    """3 among noughts: the total is itself 3 and reads "fewer than 5"."""
    figures = protected({"a": 0, "b": 3, "c": 0, "total": 3}, [(["a", "b", "c"], ["total"], False)])
    assert str(figures["total"]) == FEWER_THAN_5 and figures["a"].shown and figures["c"].shown


def test_rows_and_columns_together_leave_nothing_recoverable():
    """A trust's two schools by three kinds, with row, column and grand totals (the side-by-side view)."""
    cells = {("A", "x"): 7, ("A", "y"): 2, ("A", "z"): 9, ("B", "x"): 6, ("B", "y"): 8, ("B", "z"): 11}
    values = dict(cells)
    relations = []
    for school in "AB":
        values[(school, "all")] = sum(v for (s, _), v in cells.items() if s == school)
        relations.append(([(school, k) for k in "xyz"], [(school, "all")], False))
    for kind in "xyz":
        values[("trust", kind)] = cells[("A", kind)] + cells[("B", kind)]
        relations.append(([("A", kind), ("B", kind)], [("trust", kind)], False))
    values[("trust", "all")] = sum(cells.values())
    relations.append(([("trust", k) for k in "xyz"], [("trust", "all")], False))
    relations.append(([("A", "all"), ("B", "all")], [("trust", "all")], False))
    assert_nothing_recoverable(values, relations)


def test_concerns_counted_under_several_kinds_are_protected_as_at_least_the_total():
    """The kinds add up to at least the concerns (one concern may be of two kinds): a small kind is not pinned by
    the gap between the total and the kinds shown."""
    values = {"x": 8, "y": 4, "total": 12}
    assert_nothing_recoverable(values, [(["x", "y"], ["total"], True)])


def test_cp_files_sent_on_time_never_give_away_the_late_ones():
    """R87: the files sent on time are part of those sent, the rest sent late, at each school and for the trust. One
    late file at school A and none at B: neither A's on-time figure nor the trust's may leave the 1 to be worked
    out."""
    values = {}
    relations = []
    for school, (on_time, late) in {"A": (6, 1), "B": (5, 0)}.items():
        values |= {(school, "on_time"): on_time, (school, "late"): late, (school, "sent"): on_time + late}
    for measure in ("on_time", "late", "sent"):
        values[("T", measure)] = values[("A", measure)] + values[("B", measure)]
        relations.append(([("A", measure), ("B", measure)], [("T", measure)], False))
    for school in "ABT":
        relations.append(([(school, "on_time"), (school, "late")], [(school, "sent")], False))
    figures = assert_nothing_recoverable(values, relations)
    assert not figures[("A", "on_time")].shown and not figures[("T", "on_time")].shown
    assert suppression.share(figures[("A", "on_time")], figures[("A", "sent")], figures[("A", "late")]) is None


def test_a_locked_figure_keeps_its_own_rule_and_is_never_chosen():
    """A stock shown in two terms' reports is hidden only when small there and here, so both show it alike."""
    table = Table()
    table.add("open_at_start", 6, locked=True)
    table.add("opened", 7)
    table.add("concluded", 3)
    table.add("open_at_end", 10, locked=True)
    table.equal(["open_at_start", "opened"], ["concluded", "open_at_end"])
    figures = table.protect()
    assert figures["open_at_start"].shown and figures["open_at_end"].shown
    assert not figures["concluded"].shown and not figures["opened"].shown


@pytest.mark.parametrize("seed", range(80))
def test_random_breakdowns_leave_nothing_recoverable(seed):
    """Many made-up breakdowns with a total, some with small figures: the attacker never pins one."""
    rng = random.Random(seed)
    size = rng.randint(2, 4)
    values = {f"k{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 6]) for i in range(size)}
    values["total"] = sum(values.values())
    relations = [([f"k{i}" for i in range(size)], ["total"], False)]
    if values["total"] > CEILING:
        pytest.skip("too large for the brute-force attacker")
    assert_nothing_recoverable(values, relations)


@pytest.mark.parametrize("seed", range(80))
def test_random_two_school_tables_leave_nothing_recoverable(seed):
    rng = random.Random(1000 + seed)
    cells = {(s, k): rng.choice([0, 1, 2, 3, 5, 6]) for s in "AB" for k in "xy"}
    values = dict(cells)
    relations = []
    for kind in "xy":
        values[("T", kind)] = cells[("A", kind)] + cells[("B", kind)]
        relations.append(([("A", kind), ("B", kind)], [("T", kind)], False))
    for school in "ABT":
        values[(school, "all")] = values[(school, "x")] + values[(school, "y")]
        relations.append(([(school, "x"), (school, "y")], [(school, "all")], False))
    relations.append(([("A", "all"), ("B", "all")], [("T", "all")], False))
    if max(values.values()) > CEILING:
        pytest.skip("too large for the brute-force attacker")
    assert_nothing_recoverable(values, relations)


def test_changes_and_shares_only_from_figures_shown():
    """A change since last term or a percentage is never worked out from a hidden figure."""
    shown, hidden = Figure(12), Figure(None, suppression.SMALL)
    assert suppression.change(shown, Figure(9)) == 3
    assert suppression.change(shown, hidden) is None
    assert suppression.share(Figure(45), Figure(50), Figure(5)) == 90
    assert suppression.share(Figure(47), Figure(50), hidden) is None


def test_adding_a_figure_twice_with_two_values_is_refused():
    table = Table()
    table.add("a", 3)
    with pytest.raises(ValueError):
        table.add("a", 4)
