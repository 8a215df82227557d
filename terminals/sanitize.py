"""The allow-list for the reconnection procedures admins write (numbered steps, images)."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ol", "ul", "li", "h2", "h3", "h4",
    "img", "a", "code", "pre", "blockquote", "hr", "span", "small",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "img": {"src", "alt", "title", "width", "height"},
    "a": {"href", "title"},
    "ol": {"start", "type"},
    "li": {"value"},
}
# data: lets an admin paste a screenshot inline; nothing else can run code or phone home
# beyond a plain link.
ALLOWED_SCHEMES = {"http", "https", "mailto", "data"}


def _inline_images_only(tag: str, attribute: str, value: str) -> str | None:
    # An image is fetched by whoever shows the procedure: the PDF renderer in our workers,
    # the recipients' mail readers. Only an image carried inside the HTML is kept; a remote,
    # file: or relative src is dropped.
    if tag == "img" and attribute == "src" and not value.lower().startswith("data:image/"):
        return None
    return value


def sanitize_procedure(html: str) -> str:
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_inline_images_only,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()
