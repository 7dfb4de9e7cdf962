"""Bizuno's HTML product descriptions, made safe once as they arrive, to be shown as HTML.

WordPress shows a product's descriptions through ``wp_kses_post``: the markup
of a post (paragraphs, headings, lists, emphasis, links, images, tables) stays,
anything that runs goes. We keep the same kinds of markup with nh3 (Ammonia's
allow-list sanitiser): no script, iframe, object or form; no ``on…=``
handlers; links and images only with http(s) (links also mailto/tel) or a
relative URL; ``style`` only with plain values of a few layout and text
properties (no ``expression(``, ``url(``, comments or escapes). What is
stored is what the product page renders.

Text keeps its line breaks as stored; the page adds paragraphs (`autop`) where
a description has no block markup of its own, as WordPress's ``wpautop``
does when it shows the content.
"""

from __future__ import annotations

import re

import nh3

TAGS = {
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strike", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "*": {"title", "style", "align"},
    "a": {"href", "hreflang", "target"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type", "reversed"},
    "ul": {"type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "table": {"summary"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
IMAGE_SCHEMES = ("http://", "https://", "/")
# wp_kses_post's safecss_filter_attr keeps a list of properties; a subset that lays out text.
CSS_PROPERTIES = {
    "text-align", "color", "background-color", "font-weight", "font-style", "font-size", "text-decoration",
    "width", "height", "max-width", "margin", "margin-left", "margin-right", "margin-top", "margin-bottom",
    "padding", "padding-left", "padding-right", "padding-top", "padding-bottom", "border", "border-collapse",
    "vertical-align", "list-style-type", "float", "clear",
}
CSS_VALUE = re.compile(r"^[#\w\s.,%+-]*$")
TARGETS = {"_blank", "_self"}
BLOCK = re.compile(r"<(p|div|ul|ol|table|h[1-6]|blockquote|pre|dl|figure|hr)\b", re.IGNORECASE)


def _safe_style(value: str) -> str | None:
    kept = []
    for declaration in value.split(";"):
        name, colon, css = declaration.partition(":")
        name, css = name.strip().lower(), css.strip()
        if colon and name in CSS_PROPERTIES and CSS_VALUE.match(css):
            kept.append(f"{name}: {css}")
    return "; ".join(kept) or None


def _attribute(tag: str, name: str, value: str) -> str | None:
    if name == "style":
        return _safe_style(value)
    if tag == "img" and name == "src" and not value.strip().lower().startswith(IMAGE_SCHEMES):
        return None  # no data: images (or any other scheme) in a description
    if tag == "a" and name == "target":
        return value if value in TARGETS else None
    return value


def clean(text: str | None) -> str:
    """The description as safe HTML (``""`` for none); plain text comes back escaped."""
    if not text or not text.strip():
        return ""
    return nh3.clean(
        text, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_attribute, url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"}, link_rel="noopener noreferrer",
    ).strip()


def autop(html: str) -> str:
    """Paragraphs for a safe description without block markup: blank lines split, line breaks as ``<br>``.

    Adds only ``<p>`` and ``<br>`` to what `clean` returned, so the result is as safe as its input.
    """
    if not html or BLOCK.search(html):
        return html or ""
    parts = [p.strip() for p in re.split(r"\r?\n\s*\r?\n", html) if p.strip()]
    return "".join("<p>" + re.sub(r"\r?\n", "<br>\n", p) + "</p>" for p in parts)
