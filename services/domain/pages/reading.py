"""Read back what a deployed guest page shows, from the ``data-field`` marks our template sets.

Used only by ``status`` for one charter: reconcile never downloads pages.
"""

from __future__ import annotations

from html.parser import HTMLParser


class _FieldReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, field being read)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        field = dict(attrs).get("data-field")
        if tag in ("br", "img", "input", "meta", "link", "hr", "iframe"):
            if field and tag == "iframe":
                self.fields[field] = dict(attrs).get("src") or ""
            return
        self._open.append((tag, field))
        if field:
            self.fields.setdefault(field, "")

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            opened, _ = self._open.pop()
            if opened == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, field in self._open:
            if field:
                self.fields[field] += data


def read_page_fields(html: str) -> dict[str, str]:
    reader = _FieldReader()
    reader.feed(html)
    return {k: " ".join(v.split()) for k, v in reader.fields.items()}
