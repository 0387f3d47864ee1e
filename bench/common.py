"""Helpers the benchmark scripts share: package versions and writing results."""

import datetime
import json
import os
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"

# The report the load bench and the profile send through the public form:
# anonymous, about one person typed in (not picked from the registry).
REPORT_FIELDS = {
    "action": "verstuur",
    "relation": "inwoner",
    "anonymous": "ja",
    "description": "Bij de balie werd ik uitgescholden toen ik om een formulier vroeg.",
    "contact_context": "hulpvraag",
    "told_before": "nee",
    "wishes": "gehoord",
    "vrij_naam_1": "Man met pet",
    "vrij_functie_1": "baliemedewerker",
    "vrij_rol_1": "beschuldigde",
}


def package_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def write_results(result: dict, name: str, stamp: datetime.datetime, latest: str) -> Path:
    """Write ``result`` to results/<name>-<timestamp>.json and to results/<latest>; return the first."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2) + "\n"
    path = RESULTS_DIR / f"{name}-{stamp.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(text)
    (RESULTS_DIR / latest).write_text(text)
    return path


def _pg_base() -> str:
    return os.environ.get("MELDPUNT_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def fresh_postgres(database: str) -> str | None:
    """(Re)create the bench's own PostgreSQL database; its URL, or None when
    PostgreSQL is not reachable (that database's run is then skipped)."""
    try:
        import psycopg

        with psycopg.connect(f"{_pg_base()}/postgres", connect_timeout=3, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
            admin.execute(f'CREATE DATABASE "{database}"')
    except Exception as error:  # noqa: BLE001 - any failure: no PostgreSQL run
        print(f"PostgreSQL not reachable ({error.__class__.__name__}): skipped the PostgreSQL run")
        return None
    return f"{_pg_base()}/{database}"


def drop_postgres(database: str) -> None:
    import psycopg

    with psycopg.connect(f"{_pg_base()}/postgres", connect_timeout=3, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
