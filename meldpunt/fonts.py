"""The font files Meldpunt serves itself, from the @fontsource npm packages.

A @fontsource package holds every weight, style and script subset of its
family (about 850 files for Noto Sans). Meldpunt uses a few of them: the
@font-face stylesheets ``THEME_FONT_CSS`` names, and the font files those
stylesheets point to. ``ThemeFontFinder`` offers only those to collectstatic
and, in development, to WhiteNoise: some 50 files instead of 2,100, so a
worker's static file server starts without walking thousands of files.

``FONT_PACKAGES`` maps a static prefix (``fonts/noto-sans``) to its package
folder. A stylesheet in ``THEME_FONT_CSS`` under another prefix (a theme's
own fonts in ``MELDPUNT_THEME_DIR``) is left to the other finders.
"""

import posixpath
import re

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# url(./files/x.woff2), url('x.woff'), url("x.woff"): the file a @font-face rule loads.
FONT_URL = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")


def files_of_stylesheet(storage: FileSystemStorage, stylesheet: str) -> list[str]:
    """The stylesheet and the package files it refers to, as paths inside the package."""
    if not storage.exists(stylesheet):
        return []
    with storage.open(stylesheet) as handle:
        text = handle.read().decode("utf-8")
    folder = posixpath.dirname(stylesheet)
    found = [stylesheet]
    for url in FONT_URL.findall(text):
        if url.startswith(("data:", "http:", "https:", "/")):
            continue
        path = posixpath.normpath(posixpath.join(folder, url))
        if not path.startswith("..") and storage.exists(path):
            found.append(path)
    return found


class ThemeFontFinder(BaseFinder):
    """The ``THEME_FONT_CSS`` stylesheets of the ``FONT_PACKAGES`` and their font files, nothing else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static path -> (storage of its package, path inside the package)
        self.files: dict[str, tuple[FileSystemStorage, str]] = {}
        storages: dict[str, FileSystemStorage] = {}
        for stylesheet in settings.THEME_FONT_CSS:
            prefix, _, name = stylesheet.rpartition("/")
            if prefix not in settings.FONT_PACKAGES:
                continue
            if prefix not in storages:
                storages[prefix] = FileSystemStorage(location=settings.FONT_PACKAGES[prefix])
                storages[prefix].prefix = prefix
            for path in files_of_stylesheet(storages[prefix], name):
                self.files[f"{prefix}/{path}"] = (storages[prefix], path)

    def find(self, path, find_all=False, **kwargs):
        found = self.files.get(path)
        if found is None:
            return [] if find_all else None
        storage, inside = found
        return [storage.path(inside)] if find_all else storage.path(inside)

    def list(self, ignore_patterns):
        for storage, inside in self.files.values():
            yield inside, storage
