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

from django.db.models import Count, Max, Q
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from safeguarding import access, middleware
from safeguarding.models import School

from . import selectors

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

    Both come from `queue_list_for_user`, so they never count a concern withheld from the person or, outside the DSL
    team, one not routed to them. The token is a digest (nothing about any child, and no sequential number) of how
    many concerns the queue holds, how many wait and the newest: a concern arriving or routed to the person, or
    one acknowledged, changes it. One query, whatever the size of the school's records.
    """
    found = (
        selectors.queue_list_for_user(user=user, school=school)
        .order_by()
        .aggregate(
            # Outside the DSL team the queryset is distinct (a concern alerted twice is one), and Django then counts
            # over it as a subquery.
            in_queue=Count("pk"),
            unacknowledged=Count("pk", filter=Q(acknowledged_at__isnull=True)),
            newest=Max("pk"),
        )
    )
    digest = hashlib.sha256(f"{school.pk}:{found['in_queue']}:{found['unacknowledged']}:{found['newest']}".encode())
    return QueueState(waiting=found["unacknowledged"], token=digest.hexdigest()[:20])


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
