"""The proof of filing as a PDF (WeasyPrint), in the installation's theme.

WeasyPrint reads only files that Django's static finders give it (the theme
stylesheets and their fonts) and never fetches anything from the network.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from meldpunt.bewijs import proof


def _stylesheets() -> list[str]:
    paths = [finders.find(name) for name in (settings.THEME_CSS, *settings.THEME_FONT_CSS)]
    return [path for path in paths if path]


def _local_files_only(url: str, *args, **kwargs):
    import weasyprint

    allowed = [Path(p).resolve() for p in _stylesheet_dirs()]
    if url.startswith("file://"):
        path = Path(url.removeprefix("file://")).resolve()
        if any(path.is_relative_to(root) for root in allowed):
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"not fetched for a PDF: {url}")


def _stylesheet_dirs() -> list[str]:
    return [str(Path(path).parent) for path in _stylesheets()]


def render(filing_proof, verify_url: str, keys_url: str) -> bytes:
    import weasyprint

    case = filing_proof.case
    parsed = proof.parse(filing_proof.armoured())
    html = render_to_string(
        "bewijs/pdf.html",
        {
            "organisation": case.organisation,
            "case": case,
            "fields": parsed.fields,
            "received_at": parsed.received_at,
            "armoured": filing_proof.armoured(),
            "theme_class": settings.THEME_CLASS,
            "verify_url": verify_url,
            "keys_url": keys_url,
        },
    )
    stylesheets = [weasyprint.CSS(filename=path, url_fetcher=_local_files_only) for path in _stylesheets()]
    document = weasyprint.HTML(string=html, url_fetcher=_local_files_only)
    return document.write_pdf(stylesheets=stylesheets)
