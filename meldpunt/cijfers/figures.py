"""The council figures of one organisation and period, counted by the database.

Which cases: those received in the period (``received_at`` from the first day
up to and not including the day after the last). Every table splits those
cases by one property and by kind (melding, signaal); the counts come from
one GROUP BY over the period's cases (``case_figures`` index, covering on PostgreSQL) and a few
conditional aggregates; the percentiles from ``percentile_cont`` on
PostgreSQL and from an ordered OFFSET query on SQLite. No case row is ever
loaded into Python: only counts per group. Small counts are suppressed in
``report`` (``suppression``). Definitions: docs/figures.md.
"""

import datetime
import math
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BooleanField, Count, F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from meldpunt.cases.models import FIGURES_DIMENSIONS, Case, Kind, State
from meldpunt.cases.workflow import OPEN_STATES
from meldpunt.notifications.models import Notification

# The dimensions the tables split by: the Case field of each (the relation and
# the accused are grouped in ``cijfers.groups``).
DIMENSIONS = FIGURES_DIMENSIONS
ACK_DAYS = 7


@dataclass(frozen=True)
class Period:
    first: datetime.date
    last: datetime.date  # inclusive
    label: str

    def bounds(self):
        tz = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.first, datetime.time.min, tzinfo=tz)
        end = datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return start, end


@dataclass
class Counts:
    """What the database counted: ``cube`` maps a tuple of the DIMENSIONS
    values plus the kind to its number of cases; the rest are plain counts."""

    cube: dict[tuple, int] = field(default_factory=dict)
    ack_base: int = 0
    ack_in_time: int = 0
    feedback_base: int = 0
    feedback_in_time: int = 0
    anon_ack_base: int = 0
    anon_ack_in_time: int = 0
    anon_feedback_base: int = 0
    anon_feedback_in_time: int = 0
    closed: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    overdue_now: int = 0
    escalations: int = 0
    pattern_alerts: int = 0
    measures_burdening_reporter: int = 0
    measures_burdening_reporter_proposed: int = 0


def period_cases(organisation, period: Period):
    start, end = period.bounds()
    return Case.objects.filter(organisation=organisation, received_at__gte=start, received_at__lt=end)


def count(organisation, period: Period, now=None) -> Counts:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One aggregation over many rows: hashed in memory rather than sorted on disk, no JIT compilation.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SET LOCAL jit = off")
        return _count(organisation, period, now)


def _count(organisation, period: Period, now=None) -> Counts:
    now = now or timezone.now()
    start, end = period.bounds()
    cases = period_cases(organisation, period)
    counts = Counts()
    conditions = _conditions(now)
    # One scan: the count per combination of the dimensions, with the conditional counts beside it.
    rows = (
        cases.order_by()
        .values(*DIMENSIONS, "kind")
        .annotate(n=Count("pk"), **{name: Count("pk", filter=condition) for name, condition in conditions.items()})
    )
    for row in rows:
        counts.cube[tuple(row[d] for d in [*DIMENSIONS, "kind"])] = row["n"]
        for name in conditions:
            setattr(counts, name, getattr(counts, name) + row[name])
    counts.median_days, counts.p90_days = handling_percentiles(organisation, start, end, counts.closed)

    from meldpunt.escalation.models import DueDate, Escalation

    # The rest starts from the small tables (waiting deadlines, escalations,
    # alerts, measures) and looks up their case by its key.
    in_period = {"organisation": organisation, "received_at__gte": start, "received_at__lt": end}
    case_of = {f"case__{name}": value for name, value in in_period.items()}
    counts.overdue_now = (
        DueDate.objects.filter(
            next_action_at__isnull=False, met_at__isnull=True, due_at__lt=now, case__state__in=OPEN_STATES, **case_of
        )
        .order_by()
        .values("case_id")
        .distinct()
        .count()
    )
    counts.escalations = Escalation.objects.filter(
        round__gte=1, sent_at__lt=now, **{f"due_date__{name}": value for name, value in case_of.items()}
    ).count()
    counts.pattern_alerts = (
        Notification.objects.filter(organisation=organisation, kind=Notification.Kind.PATTERN, **case_of)
        .order_by()
        .values("case_id")
        .distinct()
        .count()
    )
    counts.measures_burdening_reporter, counts.measures_burdening_reporter_proposed = _measures(case_of)
    return counts


def _conditions(now) -> dict[str, Q]:
    """The conditional counts of the deadlines, per name of a ``Counts`` field."""
    report = Q(kind=Kind.MELDING)
    table = connection.ops.quote_name(Case._meta.db_table)
    acked, received = f"{table}.acknowledged_at", f"{table}.received_at"
    if connection.vendor == "postgresql":
        within = f"{acked} <= {received} + INTERVAL '{ACK_DAYS} days'"
    else:
        within = f"julianday({acked}) - julianday({received}) <= {ACK_DAYS}"
    # Names from the model and a constant: no input reaches this SQL.
    acked_in_time = Q(acknowledged_at__isnull=False) & Q(RawSQL(within, [], output_field=BooleanField()))  # noqa: S611
    ack_counts = Q(acknowledged_at__isnull=False) | Q(received_at__lte=now - datetime.timedelta(days=ACK_DAYS))
    # Feedback counts for a report that got it, or whose deadline has passed (not withdrawn before).
    feedback_counts = Q(feedback_given_at__isnull=False) | (Q(feedback_due__lte=now) & ~Q(state=State.INGETROKKEN))
    feedback_in_time = Q(feedback_given_at__lte=F("feedback_due"))
    anonymous = Q(anonymous=True)
    return {
        "ack_base": report & ack_counts,
        "ack_in_time": report & acked_in_time,
        "feedback_base": report & feedback_counts,
        "feedback_in_time": report & feedback_in_time,
        "anon_ack_base": report & anonymous & ack_counts,
        "anon_ack_in_time": report & anonymous & acked_in_time,
        "anon_feedback_base": report & anonymous & feedback_counts,
        "anon_feedback_in_time": report & anonymous & feedback_in_time,
        "closed": Q(closed_at__isnull=False),
    }


def _measures(case_of: dict) -> tuple[int, int]:
    """Measures that burden the reporter, in cases of the period: taken, and proposed (any state)."""
    try:
        from meldpunt.maatregelen.models import Measure
    except ImportError:  # pragma: no cover (the measures register is part of the installation)
        return 0, 0
    burdening = Measure.objects.filter(burdens=Measure.Burden.MELDER, **case_of).order_by()
    totals = burdening.aggregate(taken=Count("pk", filter=Q(state=Measure.State.GENOMEN)), proposed=Count("pk"))
    return totals["taken"], totals["proposed"]


def handling_percentiles(organisation, start, end, closed: int) -> tuple[float | None, float | None]:
    """Median and 90th percentile of the handling time in days (received to
    closed) of the period's closed cases, interpolated as ``percentile_cont``."""
    if not closed:
        return None, None
    table = Case._meta.db_table
    where = "organisation_id = %s AND received_at >= %s AND received_at < %s AND closed_at IS NOT NULL"
    params = [organisation.pk, start, end]
    # Table and column names come from the model, never from input.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP "  # noqa: S608
                f"(ORDER BY EXTRACT(EPOCH FROM closed_at - received_at)) FROM {table} WHERE {where}",
                params,
            )
            median, p90 = cursor.fetchone()[0]
            return median / 86400, p90 / 86400
        found = []
        for fraction in (0.5, 0.9):
            position = fraction * (closed - 1)
            low = math.floor(position)
            cursor.execute(
                f"SELECT (julianday(closed_at) - julianday(received_at)) AS d FROM {table} "  # noqa: S608
                f"WHERE {where} ORDER BY d LIMIT 2 OFFSET %s",
                [*params, low],
            )
            values = [row[0] for row in cursor.fetchall()]
            value = values[0] if len(values) == 1 else values[0] + (position - low) * (values[1] - values[0])
            found.append(value)
        return found[0], found[1]
