"""The registry's revision and what is cached under it.

``Organisation.registry_revision`` gets a new random value in the same
transaction as every change to the organisation's registry: a person, a
position, an appointment or a conflict saved or deleted (signals, below, so
that no write path is forgotten) and the CSV import, which writes in bulk
(``changed`` from ``meldpunt.registry.actions.import_registry``).

``directory(organisation, day)`` keeps the resolver's directory
(``meldpunt.registry.directory.build_directory``) per process under
(organisation, revision, day): each call reads the revision (one indexed
query) and builds again only when it differs, so several gunicorn workers
each stay right and a change is seen by the very next search or submission.
The day is part of the key because holdings depend on today's date
(appointments starting and ending). The revision is read before the
registry, so a directory is never older than the revision it is kept under.

The report form's person search keeps its word index the same way
(``meldpunt.registry.search``, per language too), and so does routing its
registry snapshot (``meldpunt.protocol.snapshot.registry_view``).
"""

import datetime
import threading
import uuid
from collections import OrderedDict

from django.db.models.signals import post_delete, post_save

from meldpunt.organisations.models import Organisation
from meldpunt.registry.models import Appointment, Conflict, Person, Position, today

KEPT = 32  # kept per process: a directory and a search index per organisation, day and language

_lock = threading.Lock()
_kept: "OrderedDict[tuple, object]" = OrderedDict()


def changed(organisation_id: int) -> None:
    """Give the organisation's registry a new revision (inside the caller's transaction)."""
    Organisation.objects.filter(pk=organisation_id).update(registry_revision=uuid.uuid4())


def current(organisation_id: int):
    return Organisation.objects.filter(pk=organisation_id).values_list("registry_revision", flat=True).first()


def directory(organisation, day: datetime.date | None = None):
    """The organisation's directory for ``day`` (today), built once per registry revision."""
    from meldpunt.registry.directory import build_directory

    day = day or today()
    return kept(organisation, "directory", day, lambda: build_directory(organisation, day))


def kept(organisation, what, day: datetime.date, build):
    """What ``build()`` derives from the organisation's registry for ``day``, built
    once per registry revision in this process (``what`` names it, with anything
    else it depends on, such as the language)."""
    revision = current(organisation.pk)
    key = (organisation.pk, revision, day, what)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found
    built = build()
    with _lock:
        # What was built from an older revision of this organisation is of no more use.
        for old in [k for k in _kept if k[0] == organisation.pk and k[1] != revision]:
            del _kept[old]
        _kept[key] = built
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return built


def forget() -> None:
    """Drop every kept directory (for tests and benchmarks that want a first build)."""
    with _lock:
        _kept.clear()


def _organisation_of(instance) -> int | None:
    if isinstance(instance, Appointment):
        return Position.objects.filter(pk=instance.position_id).values_list("organisation_id", flat=True).first()
    if isinstance(instance, Conflict):
        return Person.objects.filter(pk=instance.person_id).values_list("organisation_id", flat=True).first()
    return instance.organisation_id


def _on_write(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures
    organisation = _organisation_of(instance)
    if organisation is not None:
        changed(organisation)


for _model in (Person, Position, Appointment, Conflict):
    post_save.connect(_on_write, sender=_model, dispatch_uid=f"registry-revision-save-{_model.__name__}")
    post_delete.connect(_on_write, sender=_model, dispatch_uid=f"registry-revision-delete-{_model.__name__}")
