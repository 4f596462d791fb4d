"""The data a browser would post from a page's form: inputs, selects and textareas as the
HTML has them (what the generated access test sends back with one field changed)."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id_suffix: str):
        super().__init__(convert_charrefs=True)
        self.suffix = form_id_suffix
        self.inside = False
        self.done = False
        self.data: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_values: list[str] = []
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._option_value: str | None = None
        self._option_selected = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("id") or "").endswith(self.suffix):
            self.inside = True
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_values, self._first_option = name, [], None
            self._multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_values.append(value)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "form":
            self.inside, self.done = False, True
        elif tag == "select" and self._select is not None:
            values = self._select_values
            if not values and not self._multiple and self._first_option is not None:
                values = [self._first_option]
            self.data.extend((self._select, v) for v in values)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self.inside and self._textarea is not None:
            self._text.append(data)


def form_data(html: str, form_id_suffix: str = "_form") -> dict[str, list[str]] | None:
    """The first form whose id ends with ``form_id_suffix`` as {name: [values]}; None if the
    page has no such form."""
    parser = _FormParser(form_id_suffix)
    parser.feed(html)
    if not parser.done and not parser.data:
        return None
    out: dict[str, list[str]] = {}
    for name, value in parser.data:
        out.setdefault(name, []).append(value)
    return out
