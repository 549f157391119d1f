"""The report's counts from the register of concerns about adults (staff_allegations.reporting), for each school's
period of one term: allegations made, open and concluded, low-level concerns, LADO referrals, and the cases about the
Head left out of the pack (R88). The register may not be installed: then there are none."""

from __future__ import annotations

from datetime import timedelta

from .periods import Period


def staff_counts(periods: list[Period]) -> dict[int, dict] | None:
    """Counts from the register of concerns about adults for each school's period (cases about the Head left out and
    counted apart), in a fixed number of queries however many schools; None where the register is not installed."""
    try:
        from staff_allegations.reporting import term_counts_by_school
    except ImportError:  # the register is not installed here
        return None
    return term_counts_by_school(spans={p.school.pk: (p.starts_on, p.as_at) for p in periods})


def open_at_start(periods: list[Period]) -> dict[int, int]:
    """Allegations open on the eve of each school's period: last term's "open at the end", whatever was entered
    before."""
    from staff_allegations.reporting import term_counts_by_school

    eves = {p.school.pk: (p.starts_on - timedelta(days=1),) * 2 for p in periods}
    return {school_id: c["allegations_open_at_end"] for school_id, c in term_counts_by_school(spans=eves).items()}
