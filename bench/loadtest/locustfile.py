"""Locust scenario of bench/load_mixed.py (in a folder without __init__.py, so `python -m bench` does not run it).

Users: 80 % read (a consultation page or one of its section pages), 15 % search, 5 % post a contribution through
the JSON path of the section page (signed-in sessions prepared by load_mixed.py). Inputs come from the JSON file
named by LOAD_DATA_FILE; accepted contribution ids are appended to LOAD_ACCEPTED_FILE.
"""

import json
import os
import random
import secrets
import uuid
from urllib.parse import urlencode

from locust import FastHttpUser, between, events, task

DATA = json.loads(open(os.environ["LOAD_DATA_FILE"]).read()) if os.environ.get("LOAD_DATA_FILE") else {}
ACCEPTED = []


class Citizen(FastHttpUser):
    # FastHttpUser (geventhttpclient), not HttpUser (requests): the load generator shares the machine's two
    # cores with the server, and costs several times less CPU per request this way.
    wait_time = between(1, 3)

    def on_start(self):
        self.session_key, self.token = random.choice(DATA["sessions"])

    @task(80)
    def read(self):
        if random.random() < 0.25:
            self.client.get(random.choice(DATA["consultations"]), name="consultation page")
        else:
            self.client.get(random.choice(DATA["sections"]), name="section page")

    @task(15)
    def search(self):
        self.client.get("/rechercher/?" + urlencode({"q": random.choice(DATA["queries"])}), name="search")

    @task(5)
    def post(self):
        csrf = secrets.token_hex(16)
        body = f"Contribution de charge {uuid.uuid4().hex[:12]} : un avis sur cette partie du texte."
        with self.client.post(
            DATA["post_path"],
            data={
                "body": body,
                "stance": "pour",
                "no_interests": "on",
                "idempotency_key": uuid.uuid4().hex,
                "rendered_at": self.token,
                "website_url": "",
            },
            headers={
                "Cookie": f"sessionid={self.session_key}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "X-Requested-With": "fetch",
                "Accept": "application/json",
            },
            name="post contribution",
            catch_response=True,
        ) as response:
            if response.status_code == 429:
                response.success()  # rate limit: expected under load, counted apart by load_mixed
                events.request.fire(
                    request_type="POST",
                    name="post refused (429)",
                    response_time=0,
                    response_length=0,
                    exception=None,
                    context={},
                )
            elif 200 <= response.status_code < 300:
                ACCEPTED.append(response.json()["contribution"]["id"])


@events.quitting.add_listener
def _save_accepted(environment, **kwargs):
    if os.environ.get("LOAD_ACCEPTED_FILE"):
        with open(os.environ["LOAD_ACCEPTED_FILE"], "w") as out:
            json.dump(ACCEPTED, out)
