"""What several of the children's records share: who recorded them and when (RecordedBy)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecordedBy(models.Model):
    """Who wrote a record on a concern, as they stood that day, and when."""

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_by_name = models.CharField(max_length=200)
    recorded_by_role = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
