"""The load scenario (run by bench/load/run.py): operators searching clients as they type,
opening client pages and toggling a terminal's link, and integrations posting heartbeats
with their tokens. LOAD_DATA names the JSON file the driver wrote (login, client and
terminal codes, search terms, identifiers, tokens); LOAD_SEARCH is the search route, the
application's list or the baseline's."""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

DATA = json.loads(open(os.environ["LOAD_DATA"], encoding="utf-8").read())  # noqa: SIM115
SEARCH = os.environ.get("LOAD_SEARCH", "/clientes/")
# The list's fragment, as the search box asks for it; the baseline answers a whole page.
SEARCH_HEADERS = {"HX-Request": "true", "HX-Target": "client-results"}


class Operator(HttpUser):
    weight = 4
    wait_time = between(0.2, 1.0)

    def on_start(self) -> None:
        self.client.get("/entrar/", name="login")
        response = self.client.post(
            "/entrar/",
            {
                "username": DATA["username"],
                "password": DATA["password"],
                "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", ""),
            },
            name="login",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login refused: {response.status_code}")

    @task(6)
    def search(self) -> None:
        term = random.choice(DATA["terms"])
        # Typing: the prefixes of the term, as the box's 300 ms debounce sends them.
        for size in sorted({max(3, len(term) // 2), len(term)}):
            self.client.get(
                SEARCH, params={"q": term[:size]}, headers=SEARCH_HEADERS, name="search"
            )

    @task(3)
    def client_page(self) -> None:
        client = random.choice(DATA["clients"])
        self.client.get(f"/clientes/{client['code']}/", name="client page")

    @task(1)
    def toggle_terminal(self) -> None:
        client = random.choice(DATA["clients"])
        self.client.post(
            f"/terminais/{client['terminal']}/vinculo/{client['code']}/",
            {"linked": random.choice(["on", ""])},
            headers={"HX-Request": "true", "X-CSRFToken": self.client.cookies.get("csrftoken", "")},
            name="toggle terminal",
        )


class Integration(HttpUser):
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
