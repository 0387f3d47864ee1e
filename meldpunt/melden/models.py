"""What the reporter's pages keep: one row per sent report form, for the one-time submission token."""

from django.db import models

from meldpunt.cases.models import Case


class Submission(models.Model):
    """A report form that was sent, known by the digest of its one-time token.

    The form carries a random token (256 bits) from its first render; only
    ``sha256`` of it is stored, unique, in the same transaction as the case.
    The same token posted again (reload, back and send, a double click) finds
    this row instead of storing a second report.

    ``sealed_receipt`` is the receipt code sealed under a key derived from the
    token, which only the reporter's browser holds; it is emptied when the
    one-time view ends (the reporter goes to the inbox, or ``receipt_until``
    passes). Without the token it cannot be opened: the database never holds
    the receipt code in a form that can be read or worked back.
    """

    token_digest = models.CharField(max_length=64, unique=True)
    # For a report sent through the API with an Idempotency-Key (the token):
    # the SHA-256 of what was sent, so that the same key with another body is
    # refused rather than answered with this report's receipt (meldpunt.api.idempotency).
    request_digest = models.CharField(max_length=64, blank=True, default="")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    sealed_receipt = models.BinaryField(null=True, blank=True)
    receipt_until = models.DateTimeField()

    class Meta:
        # Erasing ended views looks only at rows that still hold a sealed code.
        indexes = [
            models.Index(
                fields=["receipt_until"],
                condition=models.Q(sealed_receipt__isnull=False),
                name="submission_open_view",
            )
        ]
