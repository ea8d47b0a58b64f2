"""A minimal browser for the simulator's sign-in page: read the form as a person sees it, press a button.

Tests choose a button by its visible text and the legend of its group, then post the form exactly as a
browser would (hidden fields + the pressed button's name and value). There is no shortcut around the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

TIMEOUT = 10


@dataclass
class Button:
    name: str
    value: str
    label: str
    group: str


@dataclass
class LoginPage:
    url: str
    status: int
    text: str
    action: str = ""
    hidden: dict[str, str] = field(default_factory=dict)
    buttons: list[Button] = field(default_factory=list)
    legends: list[str] = field(default_factory=list)

    def button(self, label_contains: str, group_contains: str = "") -> Button:
        found = [b for b in self.buttons if label_contains in b.label and group_contains in b.group]
        assert len(found) == 1, f"expected one button {label_contains!r} in {group_contains!r}, found {found}"
        return found[0]

    def press(self, button: Button) -> requests.Response:
        """Submit the form with ``button``; the redirect is returned, not followed."""
        data = {**self.hidden, button.name: button.value}
        return requests.post(
            urljoin(self.url, self.action), data=data, allow_redirects=False, timeout=TIMEOUT
        )


class _Parser(HTMLParser):
    def __init__(self, page: LoginPage) -> None:
        super().__init__()
        self.page = page
        self._in_legend = False
        self._legend = ""
        self._button: Button | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.page.action = attributes.get("action", "")
        elif tag == "input" and attributes.get("type") == "hidden":
            self.page.hidden[attributes["name"]] = attributes.get("value", "")
        elif tag == "legend":
            self._in_legend, self._legend = True, ""
        elif tag == "button" and attributes.get("type", "submit") == "submit":
            self._button = Button(attributes.get("name", ""), attributes.get("value", ""), "", self._legend)

    def handle_endtag(self, tag: str) -> None:
        if tag == "legend":
            self._in_legend = False
            self.page.legends.append(self._legend)
        elif tag == "fieldset":
            self._legend = ""
        elif tag == "button" and self._button is not None:
            self.page.buttons.append(self._button)
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._in_legend:
            self._legend += data
        if self._button is not None:
            self._button.label += data


def open_page(url: str) -> LoginPage:
    """GET ``url`` (an authorization request) and read the sign-in form on the page."""
    response = requests.get(url, allow_redirects=False, timeout=TIMEOUT)
    page = LoginPage(url=response.url, status=response.status_code, text=response.text)
    _Parser(page).feed(response.text)
    return page
