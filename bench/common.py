"""Helpers the benchmark scripts share: package versions and writing results."""

import datetime
import json
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
