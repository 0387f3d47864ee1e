"""Hostile input for the attack tests (tests/test_attack_*.py) and the checks
that it came out harmless.

``payload(tag)`` is a text that, rendered without escaping, injects elements
carrying ``data-injected`` and event-handler attributes, breaking out of a
single- or double-quoted attribute first. It has no "/" (a file name keeps
only what follows the last one) and no control characters (single-line
fields refuse them), so every text field and every file name accepts it.
``tag`` makes each field's payload findable on the page.
"""

from html.parser import HTMLParser

INJECTED = "data-injected"


def payload(tag: str) -> str:
    return f"\"'><img src=x {INJECTED} onerror=alert(1)>{tag}<svg {INJECTED} onload=alert(2)>"


def short_payload(tag: str) -> str:
    """For a field of at most 40 characters (a phone number)."""
    return f"\"'><b {INJECTED}>{tag}"


def own_words_payload(tag: str) -> str:
    """A payload sharing no word with ``payload``: for a typed-in name or search
    text, which the registry search and the subject resolver would otherwise
    match to a registry person whose name is a ``payload`` (``tag`` one word too)."""
    return f"\"'><details open ontoggle=prompt()>{tag}"


def file_payload(tag: str) -> str:
    """For a file name: without the double quote, which browsers send as %22 in a
    multipart header (a raw double quote would end the header's name there)."""
    return f"'><img src=x {INJECTED} onerror=alert(1)>{tag}<svg {INJECTED} onload=alert(2)>"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.injected: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = [name for name, _value in attrs]
        if INJECTED in names or any(name.startswith("on") for name in names):
            self.injected.append(f"<{tag} {' '.join(names)}>")
        # json_script's data block is not run; any other script must come from a file.
        if tag == "script" and not dict(attrs).get("src") and dict(attrs).get("type") != "application/json":
            self.injected.append("<script> without src (inline script)")
        self.texts.extend(value or "" for _name, value in attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.texts.append(data)


def read_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def injected_elements(html: str) -> list[str]:
    """Elements or attributes on the page that came from a payload (or inline script)."""
    return read_page(html).injected


def shown_as_text(html: str, text: str) -> bool:
    """Whether ``text`` reaches the reader as text (in the page's text or an attribute value, e.g. a kept input)."""
    return any(text in part for part in read_page(html).texts) or text in "".join(read_page(html).texts)
