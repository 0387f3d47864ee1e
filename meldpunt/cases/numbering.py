"""Case numbers: ``<year>-<nnnn>`` per organisation, handed out by ``CaseCounter``."""

from django.db import connection
from django.utils import timezone

# The next case number of an organisation and year, in one statement that adds
# 1 in the database (the first of a year starts the counter at 1): the counter
# row is locked for that statement and the caller's commit, not for a read and a write.
_NEXT_NUMBER = (
    'INSERT INTO "cases_casecounter" ("organisation_id", "year", "last") VALUES (%s, %s, 1) '
    'ON CONFLICT ("organisation_id", "year") DO UPDATE SET "last" = "cases_casecounter"."last" + 1 '
    'RETURNING "last"'
)


def next_reference(organisation, now) -> str:
    year = timezone.localtime(now).year
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_NUMBER, [organisation.pk, year])
        (last,) = cursor.fetchone()
    return f"{year}-{last:04d}"
