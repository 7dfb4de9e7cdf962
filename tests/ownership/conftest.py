"""Ownership tests: the store's and the books' fixtures, an admin client, and a form reader."""

from html.parser import HTMLParser

import pytest

from tests.books.conftest import api_user, catalog, portal, post_order  # noqa: F401
from tests.store.conftest import settings_row  # noqa: F401


@pytest.fixture
def boss_client(client, admin_user_with_password):
    client.force_login(admin_user_with_password)
    return client


class _FormReader(HTMLParser):
    """What a browser would submit from the page's first POST form (no files)."""

    def __init__(self):
        super().__init__()
        self.data, self.inside, self.select, self.textarea = [], False, None, None
        self.done = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form") and not self.done:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("file", "submit", "button", "image"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            else:
                self.data.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.data.append((self.select, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            value = self.textarea[1]
            self.data.append((self.textarea[0], value[1:] if value.startswith("\n") else value))
            self.textarea = None


def form_of(response) -> dict:
    """The change form's fields as a browser would post them; multi-selects become lists."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    out: dict = {}
    for name, value in reader.data:
        if name in out:
            out[name] = (out[name] if isinstance(out[name], list) else [out[name]]) + [value]
        else:
            out[name] = value
    return out
