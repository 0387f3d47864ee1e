"""Benchmark for subject resolution and pattern detection (docs/patterns.md).

Run with ``.venv/bin/python bench/patterns.py`` (SQLite in a temporary
state directory) and, for PostgreSQL, with
``MELDPUNT_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432`` set (a fresh
database ``meldpunt_bench_patterns`` is created and dropped).

What it measures, on the demo organisation grown to 10,000 registry people
(each with an appointment, a third with a dated second one):

1. Building the resolver's directory from the database
   (``meldpunt.registry.directory.build_directory``).
2. The resolver's own time per query at 10,000 people (target under 50 ms),
   over a mix of typed names, initials, roles at a date and addresses.
3. Resolving and linking one new report (``linking.prepare_subjects``:
   building the directory and resolving the typed name), the pattern check
   (``meldpunt.cases.patterns.case_joined``) and the whole ``submit_report``
   (which also stores, encrypts, routes through a registry of 10,000
   positions and notifies), with
   1,000 and with 100,000 existing reports in the organisation: both times
   and their ratio, which must stay under 1.5 (indexed look-ups by person
   and key, not a scan of the reports).

It prints a table and writes JSON to ``bench/results/patterns-<timestamp>.json``
and ``bench/results/patterns-latest.json``.
"""

import datetime
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PEOPLE = 10_000
SMALL, LARGE = 1_000, 100_000
QUERIES = [
    ("A.J. van der Veld", None),
    ("B. vd Veld", None),
    ("Bram van der Veld", None),
    ("de wethouder van Wonen", (datetime.date(2019, 4, 12), datetime.date(2019, 4, 12))),
    ("oud-wethouder Wolters", None),
    ("Persoon4711 Achternaam4711", None),
    ("P. Achternaam123", None),
    ("Achternam9876", None),  # a typo
    ("b.vanderveld@voorbeeldstad.example", None),
    ("Henk Pietersen", None),  # nobody
]


def child(database_url: str) -> dict:
    state = Path(tempfile.mkdtemp(prefix="meldpunt-bench-patterns-"))
    for key in [key for key in os.environ if key.startswith("MELDPUNT_")]:
        del os.environ[key]
    os.environ.update({"MELDPUNT_STATE_DIR": str(state), "DJANGO_SETTINGS_MODULE": "meldpunt.settings"})
    if database_url:
        os.environ["MELDPUNT_DATABASE_URL"] = database_url
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("create_key", stdout=io.StringIO())  # the key-encryption, signing and audit keys
    call_command("migrate", verbosity=0, interactive=False)
    from meldpunt.cases import linking, patterns
    from meldpunt.cases.actions import ReportInput, SubjectInput, submit_report
    from meldpunt.cases.models import Case, SubjectLink
    from meldpunt.demo.loader import load_demo
    from meldpunt.protocol.snapshot import build_registry_view, registry_view
    from meldpunt.registry import revision
    from meldpunt.registry.directory import build_directory
    from meldpunt.registry.models import Appointment, Person, Position, today
    from meldpunt.registry.resolve import resolve
    from meldpunt.registry.search import search_people

    organisation = load_demo()
    grow_registry(organisation, Person, Position, Appointment)
    revision.changed(organisation.pk)  # the bulk writes above send no signals
    result = {"database": "postgresql" if database_url else "sqlite", "people": Person.objects.count()}

    started = time.perf_counter()
    directory = build_directory(organisation)
    result["directory_build_ms"] = round((time.perf_counter() - started) * 1000, 1)
    # Kept per process under the registry revision: a later search or submission
    # pays one query for the revision (meldpunt.registry.revision).
    revision.directory(organisation)
    result["directory_cached_ms"] = median_ms(lambda: revision.directory(organisation))
    # Routing's snapshot: built from the database, and kept under the same revision.
    result["registry_view_build_ms"] = median_ms(lambda: build_registry_view(organisation, today()), rounds=3)
    registry_view(organisation)
    result["registry_view_ms"] = median_ms(lambda: registry_view(organisation))
    result["person_search_ms"] = median_ms(lambda: search_people(organisation, "B. vd Veld"), rounds=3)

    samples = []
    for _round in range(5):
        for text, period in QUERIES:
            started = time.perf_counter()
            resolve(directory, text, period)
            samples.append((time.perf_counter() - started) * 1000)
    result["resolve_ms"] = {
        "median": round(statistics.median(samples), 2),
        "p95": round(sorted(samples)[int(len(samples) * 0.95) - 1], 2),
        "max": round(max(samples), 2),
        "queries": len(samples),
    }

    bram = Person.objects.get(organisation=organisation, name="Bram van der Veld")
    template = submit_report(organisation, report(ReportInput, SubjectInput, "Henk Pietersen"))[0]
    figures = {}
    existing = 1
    for size in (SMALL, LARGE):
        existing += add_reports(organisation, template, size - existing, Case, SubjectLink, bram)
        submit = []
        check = []
        link = []
        for typed in ("A.J. van der Veld", "B. vd Veld", "Bram vd Veld", "oud-raadslid Van der Veld", "K. de Wit"):
            started = time.perf_counter()
            linking.prepare_subjects(organisation, report(ReportInput, SubjectInput, typed))
            link.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            case = submit_report(organisation, report(ReportInput, SubjectInput, typed))[0]
            submit.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            patterns.related_cases(case).count()
            patterns.case_joined(case)
            check.append((time.perf_counter() - started) * 1000)
            existing += 1
        figures[size] = {
            "resolve_and_link_ms": statistics.median(link),
            "submit_and_link_ms": statistics.median(submit),
            "pattern_check_ms": statistics.median(check),
        }
    result["reports"] = {str(size): {k: round(v, 1) for k, v in values.items()} for size, values in figures.items()}
    result["ratio_submit_and_link"] = round(
        figures[LARGE]["submit_and_link_ms"] / figures[SMALL]["submit_and_link_ms"], 2
    )
    result["ratio_resolve_and_link"] = round(
        figures[LARGE]["resolve_and_link_ms"] / figures[SMALL]["resolve_and_link_ms"], 2
    )
    result["ratio_pattern_check"] = round(figures[LARGE]["pattern_check_ms"] / figures[SMALL]["pattern_check_ms"], 2)
    return result


def median_ms(call, rounds: int = 5) -> float:
    samples = []
    for _round in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def report(ReportInput, SubjectInput, typed: str):
    return ReportInput(
        relation="medewerker",
        anonymous=True,
        description="Benchmark: ongepaste opmerkingen tijdens het werkoverleg.",
        wishes=["gehoord"],
        subjects=[SubjectInput(role="beschuldigde", name=typed)],
        period_start=datetime.date(2017, 4, 12),
        period_end=datetime.date(2017, 4, 12),
    )


def grow_registry(organisation, Person, Position, Appointment) -> None:
    """Bram van der Veld (wethouder Wonen before the demo's holders) and 10,000 people in all."""
    wonen = Position.objects.get(organisation=organisation, code="weth-wonen")
    bram = Person.objects.create(
        organisation=organisation,
        name="Bram van der Veld",
        voornamen="Abraham Johannes",
        voorletters="A.J.",
        roepnaam="Bram",
        tussenvoegsel="van der",
        achternaam="Veld",
        email="b.vanderveld@voorbeeldstad.example",
    )
    Appointment.objects.create(
        position=wonen, person=bram, start_date=datetime.date(2014, 3, 1), end_date=datetime.date(2018, 5, 31)
    )
    missing = PEOPLE - Person.objects.filter(organisation=organisation).count()
    people = Person.objects.bulk_create(
        Person(organisation=organisation, name=f"Persoon{i} Achternaam{i}", voorletters="P.") for i in range(missing)
    )
    positions = Position.objects.bulk_create(
        Position(
            organisation=organisation,
            code=f"bench-{i}",
            title=f"Medewerker Team {i % 200}",
            category="medewerker",
            unit=f"Team {i % 200}",
        )
        for i in range(len(people))
    )
    start = datetime.date(2015, 1, 1)
    appointments = [
        Appointment(position=position, person=person, start_date=start)
        for person, position in zip(people, positions, strict=True)
    ]
    Appointment.objects.bulk_create(appointments)


def add_reports(organisation, template, count: int, Case, SubjectLink, bram) -> int:
    """``count`` existing reports, copied from ``template`` (the same sealed content),
    each about a random registry person or a random outsider; 20 about Bram."""
    if count <= 0:
        return 0
    rng = random.Random(count)
    people = list(type(bram).objects.filter(organisation=organisation).values_list("pk", flat=True))
    fields = {
        f.attname: getattr(template, f.attname)
        for f in Case._meta.concrete_fields
        if not f.primary_key and f.attname not in ("public_id", "reference", "receipt_lookup")
    }
    made = 0
    batch = 5_000
    while made < count:
        size = min(batch, count - made)
        cases = Case.objects.bulk_create(
            Case(
                **fields,
                public_id=uuid.uuid4(),
                reference=f"B-{uuid.uuid4().hex[:12]}",
                receipt_lookup=f"{rng.randrange(10**12):012d}",
            )
            for _ in range(size)
        )
        links = []
        for index, case in enumerate(cases):
            if made + index < 20:
                links.append(SubjectLink(case=case, role="beschuldigde", person_id=bram.pk, origin="automatisch"))
            elif rng.random() < 0.7:
                links.append(SubjectLink(case=case, role="beschuldigde", person_id=rng.choice(people), origin="melder"))
            else:
                links.append(SubjectLink(case=case, role="beschuldigde", outsider_key=uuid.uuid4().hex * 2))
        SubjectLink.objects.bulk_create(links)
        made += size
    return made


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import package_version, write_results

    runs = [("sqlite", "")]
    postgres = os.environ.get("MELDPUNT_BENCH_POSTGRES", "").rstrip("/")
    if postgres:
        runs.append(("postgresql", f"{postgres}/meldpunt_bench_patterns"))
    stamp = datetime.datetime.now(datetime.UTC)
    result = {
        "when": stamp.isoformat(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "packages": {name: package_version(name) for name in ("Django", "rapidfuzz")},
        "runs": [],
    }
    for name, url in runs:
        if url:
            _postgres_database(postgres, "meldpunt_bench_patterns", create=True)
        try:
            done = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--child", url], capture_output=True, text=True, cwd=BASE_DIR
            )
            if done.returncode:
                sys.exit(f"{name}: the benchmark failed:\n{done.stderr}")
            out = done.stdout
        finally:
            if url:
                _postgres_database(postgres, "meldpunt_bench_patterns", create=False)
        run = json.loads(out.strip().splitlines()[-1])
        result["runs"].append(run)
        print(
            f"{name:<11} directory of {run['people']} people built in {run['directory_build_ms']} ms; "
            f"resolve median {run['resolve_ms']['median']} ms, p95 {run['resolve_ms']['p95']} ms"
        )
        print(
            f"{'':<11} kept directory {run['directory_cached_ms']} ms, routing snapshot built "
            f"{run['registry_view_build_ms']} ms, kept {run['registry_view_ms']} ms, "
            f"person search {run['person_search_ms']} ms"
        )
        for size, values in run["reports"].items():
            print(
                f"{'':<11} {int(size):>7} reports: resolve+link {values['resolve_and_link_ms']} ms, "
                f"pattern check {values['pattern_check_ms']} ms, whole submission {values['submit_and_link_ms']} ms"
            )
        print(
            f"{'':<11} ratio {LARGE:,} / {SMALL:,}: resolve+link {run['ratio_resolve_and_link']}, "
            f"pattern check {run['ratio_pattern_check']}, whole submission {run['ratio_submit_and_link']} "
            "(must stay under 1.5)"
        )
    path = write_results(result, "patterns", stamp, "patterns-latest.json")
    print(f"written to {path}")


def _postgres_database(server: str, name: str, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
    elif len(sys.argv) == 2 and sys.argv[1] == "--child":
        print(json.dumps(child("")))
    else:
        main()
