"""The rate limits' counts (``meldpunt.throttle``): hits per slot of a window."""

from django.db import models


class SlotCount(models.Model):
    """How many hits one slot (1/SLOTS of the window's length) of one rate-limit
    window counted. ``key`` holds no address: only the window's name and a
    daily HMAC of the client (see the package docstring). ``expires``
    (seconds since the epoch) is when the slot no longer counts in its window."""

    key = models.CharField(max_length=100)
    slot = models.BigIntegerField()
    hits = models.PositiveIntegerField()
    expires = models.FloatField(db_index=True)

    class Meta:
        db_table = "throttle_slotcount"  # named in the upsert (meldpunt/throttle/__init__.py)
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="throttle_slot_unique")]
