from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A staff member's personal API token (``meldpunt.api.tokens``).

    Only the SHA-256 of the token is stored; the token itself is shown once,
    to its owner, on the account page. A token ends at ``expires_at`` or when
    revoked, and opens only what its owner may open on the staff pages.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("naam"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    # The first characters of the token, to recognise it in the list (never enough to use it).
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API-token")
        verbose_name_plural = _("API-tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.user.get_username()}: {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
