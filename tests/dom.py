"""A small HTML tree for tests: find elements by tag and attributes, read their text and
the values a browser would send for a form. Standard library only."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input",
    "link", "meta", "source", "track", "wbr",
}  # fmt: skip


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    def iter(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str | None) -> list[Element]:
        """Descendants with this tag (any, when None) whose attributes have these values.

        ``class_="x"`` matches one class among several; ``attr=True`` needs it present.
        """
        found = []
        for element in self.iter():
            if tag is not None and element.tag != tag:
                continue
            if all(element._matches(name, value) for name, value in attrs.items()):
                found.append(element)
        return found

    def find(self, tag: str | None = None, **attrs: str | None) -> Element | None:
        matches = self.find_all(tag, **attrs)
        return matches[0] if matches else None

    def one(self, tag: str | None = None, **attrs: str | None) -> Element:
        matches = self.find_all(tag, **attrs)
        assert len(matches) == 1, f"expected one <{tag} {attrs}>, found {len(matches)}"
        return matches[0]

    def _matches(self, name: str, value: object) -> bool:
        name = name.rstrip("_").replace("_", "-")
        if value is True:
            return name in self.attrs
        if name == "class":
            return value in (self.attrs.get("class") or "").split()
        return self.attrs.get(name) == value

    def form_with(self, field_name: str) -> Element:
        """The one form holding a field of this name."""
        forms = [f for f in self.find_all("form") if f.find(name=field_name) is not None]
        assert len(forms) == 1, f"expected one form with {field_name!r}, found {len(forms)}"
        return forms[0]

    @property
    def text(self) -> str:
        """The text content, whitespace collapsed."""
        parts: list[str] = []

        def walk(node: Element) -> None:
            for child in node.children:
                if isinstance(child, str):
                    parts.append(child)
                else:
                    walk(child)

        walk(self)
        return " ".join("".join(parts).split())

    def get(self, name: str) -> str | None:
        return self.attrs.get(name)

    def form_values(self) -> dict[str, str]:
        """What submitting this form sends: inputs, checked radios/checkboxes, textareas."""
        values: dict[str, str] = {}
        for element in self.iter():
            name = element.get("name")
            if not name or "disabled" in element.attrs:
                continue
            if element.tag == "input":
                kind = (element.get("type") or "text").lower()
                if kind in {"submit", "button", "image", "reset", "file"}:
                    continue
                if kind in {"radio", "checkbox"} and "checked" not in element.attrs:
                    continue
                values[name] = element.get("value") or ("on" if kind == "checkbox" else "")
            elif element.tag == "textarea":
                text = "".join(c for c in element.children if isinstance(c, str))
                values[name] = text.removeprefix("\r\n").removeprefix("\n")
            elif element.tag == "select":
                options = element.find_all("option")
                chosen = [o for o in options if "selected" in o.attrs] or options[:1]
                if chosen:
                    values[name] = chosen[0].get("value") or chosen[0].text
        return values


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response: object) -> Element:
    """The parsed body of a test-client response."""
    return parse(response.get_data(as_text=True))  # type: ignore[attr-defined]
