"""In-app alerts without a reload (R19; issue 18, item 9).

Every page of someone who watches the queue asks `/queue/poll/` every 4 seconds (static/js/live-alerts.js) how
many concerns wait for their acknowledgement, and for a token that changes when a concern they can see arrives,
is routed to them or is acknowledged. The menu badge shows the count, a polite live region says when it goes up,
and the queue page refreshes its live part when the token moves on, so a new concern is on screen within 5 seconds
of being sent, on whatever page is open.

The answer is one query after the sign-in checks, writes nothing (no session save, no audit row) and is never
cached. Polling is not activity: the 30-minute idle timeout (R86) is renewed by every other request
(safeguarding.middleware.IdleTimeoutMiddleware), but this one leaves the session's expiry where the person's last
real request put it, so a screen left open on the queue still signs itself out.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import F, Func, Subquery
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from safeguarding import access, middleware
from safeguarding.models import School

from . import selectors
from .models import Concern

POLL_SECONDS = 4  # static/js/live-alerts.js asks this often; with the answer's own time, within 5 seconds


def queue_school(user) -> School | None:
    """The school whose queue the person watches: the first where they may view it (as the menu and /queue/)."""
    return next((s for s in access.schools_for(user) if access.can_view_queue(user, s)), None)


@dataclass(frozen=True)
class QueueState:
    waiting: int
    token: str


def queue_state(*, user, school: School) -> QueueState:
    """How many concerns wait for acknowledgement in the person's queue, and a token of the queue as a whole.

    Both come from `queue_concerns_for_user`, so they never count a concern withheld from the person or, outside the
    DSL team, one not routed to them. The token is a digest (nothing about any child, and no sequential number) of
    how many wait, the newest concern, the latest acknowledgement and how many are withheld from the person: a
    concern arriving, routed to the person, acknowledged or withheld changes it (a change within a row, such as who
    it is assigned to, shows at the live part's 30-second refresh). One query, and each part of it reads a few
    index entries, not the school's whole record: every open page asks for it every few seconds, and a school's
    record only grows.
    """
    concerns = selectors.queue_concerns_for_user(user=user, school=school)
    found = (
        School.objects.filter(pk=school.pk)
        .values("pk")
        .annotate(
            waiting=_count(concerns.filter(acknowledged_at__isnull=True)),
            newest=Subquery(concerns.order_by("-pk").values("pk")[:1]),
            last_acknowledged=Subquery(
                concerns.filter(acknowledged_at__isnull=False)
                .order_by("-acknowledged_at")
                .values("acknowledged_at")[:1]
            ),
            withheld=_count(Concern.objects.filter(school=school, withheld_from=user)),
        )
        .get()
    )
    parts = (school.pk, found["waiting"], found["newest"], found["last_acknowledged"], found["withheld"])
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode())
    return QueueState(waiting=found["waiting"], token=digest.hexdigest()[:20])


# How long a web process keeps the queue's count of acknowledged concerns under one token (acknowledged_count).
ACKNOWLEDGED_COUNT_SECONDS = 60


def acknowledged_count(*, user, school: School, state: QueueState) -> int:
    """How many acknowledged concerns the person's whole queue holds, for its pager ("Showing 1–50 of 28,135").

    Counting them reads an index entry for every concern the school ever recorded: 6 to 10 ms at 28,000, more every
    year, on every refresh of every open queue. The number changes only when the token does (a concern arrives, is
    acknowledged or is withheld), so each web process keeps it in its own memory under the person's current token
    (Django's local-memory cache; nothing about a child), and for a minute at most, which bounds what any change the
    token does not see could leave behind. A filtered queue is counted every time: a change of status or of who has
    a concern moves its count without moving the token.
    """
    key = f"queue-acknowledged:{school.pk}:{user.pk}:{state.token}"
    found = cache.get(key)
    if found is None:
        found = (
            selectors.queue_concerns_for_user(user=user, school=school).filter(acknowledged_at__isnull=False).count()
        )
        cache.set(key, found, ACKNOWLEDGED_COUNT_SECONDS)
    return found


def _count(concerns) -> Subquery:
    """COUNT(*) of `concerns` as a scalar subquery (Django's Count would group the outer query by it)."""
    return Subquery(concerns.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))


def not_activity(view):
    """The request does not count as the person being active: their idle timeout keeps running."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        middleware.not_activity(request)
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@never_cache
@not_activity
def queue_poll(request):
    """`{"waiting": 2, "token": "…"}` for someone who may view a queue; 401 when signed out (the script then stops
    quietly: no redirect to follow) and 403 for anyone else. Nothing about any child."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    school = queue_school(request.user)
    if school is None:
        return JsonResponse({"allowed": False}, status=403)
    state = queue_state(user=request.user, school=school)
    return JsonResponse({"waiting": state.waiting, "token": state.token})
