"""The load scenario (run by bench/load/run.py): operators searching clients as they type,
opening client pages and toggling a terminal's link, and integrations posting heartbeats
with their tokens. LOAD_DATA names the JSON file the driver wrote (sessions, client and
terminal codes, search terms, identifiers, tokens); LOAD_SEARCH is the search route, the
application's list or the baseline's."""

from __future__ import annotations

import json
import os
import random
import secrets
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, task
from requests.cookies import create_cookie

DATA = json.loads(open(os.environ["LOAD_DATA"], encoding="utf-8").read())  # noqa: SIM115
SESSIONS = list(DATA["sessions"])
HOST = "127.0.0.1"
SEARCH = os.environ.get("LOAD_SEARCH", "/clientes/")
# The list's fragment, as the search box asks for it; the baseline answers a whole page.
SEARCH_HEADERS = {"HX-Request": "true", "HX-Target": "client-results"}
FORM = "application/x-www-form-urlencoded"


# FastHttpUser (geventhttpclient) rather than HttpUser (requests): the load generator shares
# the server's two cores, and requests costs it several times the CPU per request.
class Browser(FastHttpUser):
    abstract = True

    def on_start(self) -> None:
        # A browser where the operator logged in earlier (bench/load/run.py), with the CSRF
        # cookie a page of the application would have set: any 32 letters and digits.
        session = SESSIONS.pop()
        self.csrf = secrets.token_hex(16)
        cookies = DATA["cookies"]
        for name, value in ((cookies["session"], session), (cookies["csrf"], self.csrf)):
            self.client.cookiejar.set_cookie(create_cookie(name, value, domain=HOST))

    def visit(self, method: str, url: str, **kwargs) -> None:
        """One request that counts as served only when answered 200 itself: a lost session
        would otherwise pass as the login page its redirect leads to."""
        with self.client.request(
            method, url, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")

    def post_form(self, url: str, fields: dict, headers: dict | None = None, **kwargs) -> None:
        self.visit(
            "POST",
            url,
            data=urlencode(fields),
            headers={"Content-Type": FORM, **(headers or {})},
            **kwargs,
        )


class Operator(Browser):
    weight = 4
    wait_time = between(0.2, 1.0)

    @task(6)
    def search(self) -> None:
        term = random.choice(DATA["terms"])
        # Typing: the prefixes of the term, as the box's 300 ms debounce sends them.
        for size in sorted({max(3, len(term) // 2), len(term)}):
            self.visit(
                "GET", SEARCH, params={"q": term[:size]}, headers=SEARCH_HEADERS, name="search"
            )

    @task(3)
    def client_page(self) -> None:
        client = random.choice(DATA["clients"])
        self.visit("GET", f"/clientes/{client['code']}/", name="client page")

    @task(1)
    def toggle_terminal(self) -> None:
        client = random.choice(DATA["clients"])
        self.post_form(
            f"/terminais/{client['terminal']}/vinculo/{client['code']}/",
            {"linked": random.choice(["on", ""])},
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf},
            name="toggle terminal",
        )


class Integration(FastHttpUser):
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.token = random.choice(DATA["tokens"])

    @task
    def heartbeats(self) -> None:
        self.client.post(
            "/api/v1/heartbeats",
            json={"identifiers": random.sample(DATA["identifiers"], 50)},
            headers={"Authorization": f"Bearer {self.token}"},
            name="heartbeats",
        )


class FloorOperator(Browser):
    """The machine's ceiling, run on its own: a logged-in operator asking, without pause, for
    an empty page behind the same server, middleware, session and tenant lookup as every
    page (bench/load/urls.py). No page of the scenario can be served faster than this."""

    wait_time = constant(0)

    @task
    def floor(self) -> None:
        self.visit("GET", "/bench/floor/", name="floor")
