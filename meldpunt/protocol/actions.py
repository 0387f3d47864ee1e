"""Changing the protocol, as a named action.

Publishing a version applies it at once to every case of the organisation
(``sync_organisation``), in the same transaction as the new version and its
audit event: an open case gets the recipients the new rules name (who are
told), and nobody keeps a case the new rules no longer give them.
"""

from django.db import transaction

from meldpunt.audit.log import actor_for_user
from meldpunt.protocol.models import ProtocolVersion
from meldpunt.protocol.service import PROTOCOL_PUBLISHED, sync_organisation
from meldpunt.protocol.versions import save_version


class VersionOutdated(Exception):
    """Someone published a version since the editor was opened."""


def publish_version(organisation, rules: list[dict], *, based_on: ProtocolVersion, staff_user, note: str = ""):
    """Store ``rules`` as the next version, if ``based_on`` is still the version
    in force (else raise ``VersionOutdated`` and store nothing)."""
    with transaction.atomic():
        latest = ProtocolVersion.objects.select_for_update().filter(organisation=organisation).order_by("-number")
        if latest.first().pk != based_on.pk:
            raise VersionOutdated
        version = save_version(organisation, rules, user=staff_user, note=note)
        sync_organisation(organisation, trigger=PROTOCOL_PUBLISHED, actor=actor_for_user(staff_user))
    return version
