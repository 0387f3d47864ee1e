"""The fonts Meldpunt serves: the theme's @font-face stylesheets and exactly the font files they load."""

import re

from django.conf import settings
from django.contrib.staticfiles import finders

from meldpunt.fonts import FONT_URL, ThemeFontFinder


def test_every_font_a_theme_stylesheet_loads_is_found_and_nothing_else_of_the_packages():
    finder = ThemeFontFinder()
    offered = {prefix_path for prefix_path in finder.files}
    assert set(settings.THEME_FONT_CSS) <= offered
    for stylesheet in settings.THEME_FONT_CSS:
        found = finders.find(stylesheet)
        assert found, f"{stylesheet} is not found"
        text = open(found, encoding="utf-8").read()
        folder = stylesheet.rpartition("/")[0]
        for url in FONT_URL.findall(text):
            static_path = f"{folder}/{url.removeprefix('./')}"
            assert static_path in offered and finders.find(static_path), f"{stylesheet} loads {url}, not served"
    # The packages' other weights and styles (thin, italic, black, ...) are not collected.
    assert not [path for path in offered if re.search(r"-(100|200|300|900)(-italic)?\.css$|italic", path)]
    assert len(offered) < 100


def test_a_path_outside_the_offered_files_is_not_found():
    finder = ThemeFontFinder()
    assert finder.find("fonts/noto-sans/100-italic.css") is None
    assert finder.find("fonts/noto-sans/../../../settings.py") is None
    assert finder.find("fonts/noto-sans/400.css", find_all=True)
