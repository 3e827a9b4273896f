"""Authorisation matrix: every URL pattern and socket route × every role, compared with expectations.py.

The URL tree is walked from `get_resolver()` (and config.routing.websocket_urlpatterns); a route that has no
expectation fails the test with a message saying where to declare it, so a new route cannot ship without a
decision about who may use it. Outcome classes: "ok" (2xx, or a redirect that is not to the login page), "refused"
(redirected back with an error message: the view or its service said no), "login" (redirect to the login page, or 401), "400", "403", "404", "405", "409".

Run with AGORA_MATRIX_PRINT=1 to print the observed matrix in the format of expectations.py.
"""

import os
import re

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .expectations import EXCLUDED_NAMES, EXCLUDED_PREFIXES, EXPECTATIONS, ROLES

pytestmark = pytest.mark.django_db


def walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name, pattern


def all_routes():
    routes = []
    for route, name, pattern in walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES) or (name or "").startswith(EXCLUDED_NAMES):
            continue
        routes.append((route, name, pattern))
    return routes


def test_every_route_has_an_expectation():
    missing = [f"{route} (name={name!r})" for route, name, _ in all_routes() if name not in EXPECTATIONS]
    assert not missing, (
        "routes without an authorisation expectation — add them to tests/security/expectations.py:\n  "
        + "\n  ".join(missing)
    )
    unnamed = [route for route, name, _ in all_routes() if not name]
    assert not unnamed, f"unnamed routes cannot be declared: {unnamed}"


def test_no_expectation_is_stale():
    names = {name for _, name, _ in all_routes()}
    stale = sorted(set(EXPECTATIONS) - names)
    assert not stale, f"expectations for routes that no longer exist: {stale}"


def classify(response) -> str:
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        if "/compte/login/" in location or "/admin/login/" in location or "/django-admin/login/" in location:
            return "login"
        from django.contrib import messages

        request = getattr(response, "wsgi_request", None)
        if request is not None and any(m.level >= messages.WARNING for m in messages.get_messages(request)):
            return "refused"  # sent back with an error message (the service said no)
        return "ok"
    if status == 401:
        return "login"
    if status in (400, 403, 404, 405, 409):
        return str(status)
    if status >= 500:
        return f"error {status}"
    return "ok"


@pytest.fixture
def world(
    consultation_factory,
    contribution_factory,
    organisation,
    organisation_b,
    asso_member,
    asso_admin,
    asso_b_admin,
    alice,
    bob,
    moderator,
    reviewer,
    editor,
    call_factory,
    application_factory,
    assign,
    lab_factory,
    settings,
    tmp_path,
):
    """One object per URL parameter, with the roles of the matrix."""
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from accounts.models import Invitation, Membership
    from livinglabs import services as lab_services
    from projects.models import Application

    settings.RATELIMIT_ENABLED = False
    consultation = consultation_factory()
    section = consultation.sections.order_by("sort_order").first()
    contribution = contribution_factory(bob, section)
    call = call_factory(title="Appel ouvert", requires_verified_association=True)
    application = application_factory(call, organisation, status=Application.STATUS_SUBMITTED, created_by=asso_admin)
    assignment = assign(application, reviewer)
    closed = call_factory(status="closed", title="Appel clos")
    laureate = application_factory(closed, organisation, status=Application.STATUS_ACCEPTED, created_by=asso_admin)
    lab = lab_factory(proposed_by=alice)
    document = Document(title="Rapport public")
    document.file.save("rapport.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    document.save()
    membership = Membership.objects.get(organisation=organisation, user=asso_member)
    invitation = Invitation.objects.create(organisation=organisation, email="invite@example.org", invited_by=asso_admin)
    return {
        "roles": {
            "anonymous": None,
            "citizen": alice,
            "member_a": asso_member,
            "member_b": asso_b_admin,
            "moderator": moderator,
            "reviewer": reviewer,
            "editor": editor,
        },
        "consultation": consultation,
        "section": section,
        "contribution": contribution,
        "call": call,
        "application": application,
        "assignment": assignment,
        "laureate": laureate,
        "lab": lab,
        "lab_token": lab_services.verification_token(lab),
        "document": document,
        "organisation": organisation,
        "membership": membership,
        "invitation": invitation,
    }


def kwargs_for(name: str, pattern, world) -> dict | list:
    app = name.split(":")[0] if ":" in name else ""
    obj = {
        "consult": world["contribution"],
        "projects": world["application"],
        "livinglabs": world["lab"],
    }.get(app)
    values = {
        "consultation_id": world["consultation"].pk,
        "section_anchor": world["section"].anchor,
        "call_id": world["call"].pk,
        "attachment_id": world["application"].attachments.first().pk,
        "step": "project",
        "assignment_id": world["assignment"].pk,
        "reference": world["laureate"].reference,
        "slug": world["organisation"].slug,
        "membership_id": world["membership"].pk,
        "fmt": "csv",
        "pk": obj.pk if obj is not None else None,
        "token": world["lab_token"] if app == "livinglabs" else world["invitation"].token,
    }
    if name == "wagtaildocs_serve":
        return [world["document"].pk, world["document"].filename]
    if name == "wagtail_serve":
        return [""]
    converters = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
    return {key: values[key] for key in converters}


def observe(world, client_factory):
    observed = {}
    clients = {role: client_factory(world["roles"][role]) for role in ROLES}
    for _route, name, pattern in all_routes():
        if name not in EXPECTATIONS:
            continue
        args = kwargs_for(name, pattern, world)
        url = reverse(name, args=args) if isinstance(args, list) else reverse(name, kwargs=args)
        methods = EXPECTATIONS[name].keys()
        for method in methods:
            for role in ROLES:
                client = clients[role]
                # Each request in its own savepoint, rolled back: a POST (leaving an organisation, withdrawing an
                # application…) must not change what the next cell sees.
                with transaction.atomic():
                    response = client.get(url) if method == "GET" else client.post(url, {})
                    transaction.set_rollback(True)
                observed[(name, method, role)] = classify(response)
    return observed


def test_authorisation_matrix(world, client_factory):
    observed = observe(world, client_factory)
    if os.environ.get("AGORA_MATRIX_PRINT"):
        for name in sorted({n for n, _, _ in observed}):
            for method in EXPECTATIONS[name]:
                row = {role: observed[(name, method, role)] for role in ROLES}
                print(f'    "{name}": {{"{method}": {row}}},')
    mismatches = [
        f"{name} {method} as {role}: expected {EXPECTATIONS[name][method][role]}, got {got}"
        for (name, method, role), got in observed.items()
        if EXPECTATIONS[name][method][role] != got
    ]
    print(f"checked {len(observed)} (route, method, role) cells over {len({n for n, _, _ in observed})} routes")
    assert not mismatches, "authorisation matrix differs from tests/security/expectations.py:\n" + "\n".join(mismatches)


@pytest.fixture
def client_factory():
    from django.test import Client

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


# --- socket routes -----------------------------------------------------------------------------------------


def socket_routes():
    from config.routing import websocket_urlpatterns

    return [str(pattern.pattern) for pattern in websocket_urlpatterns]


def test_every_socket_route_has_an_expectation():
    from .expectations import SOCKET_EXPECTATIONS

    missing = [route for route in socket_routes() if route not in SOCKET_EXPECTATIONS]
    assert not missing, f"socket routes without an expectation (tests/security/expectations.py): {missing}"


@pytest.mark.django_db(transaction=True)
async def test_socket_matrix(consultation_factory, alice, asso_member, asso_b_admin, moderator, reviewer, editor):
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from tests.consult.ws_helpers import ORIGIN, application, session_cookie

    from .expectations import SOCKET_EXPECTATIONS

    consultation = await database_sync_to_async(consultation_factory)()
    draft = await database_sync_to_async(consultation_factory)(state="upcoming")
    await database_sync_to_async(draft.unpublish)()
    users = {
        "anonymous": None,
        "citizen": alice,
        "member_a": asso_member,
        "member_b": asso_b_admin,
        "moderator": moderator,
        "reviewer": reviewer,
        "editor": editor,
    }
    targets = {
        "open consultation": consultation.pk,
        "unpublished consultation": draft.pk,
        "unknown consultation": 999999,
    }
    mismatches, checked = [], 0
    for route, cases in SOCKET_EXPECTATIONS.items():
        assert route == "ws/consultations/<int:consultation_id>/"
        for case, expected_by_role in cases.items():
            for role in ROLES:
                headers = [ORIGIN]
                cookie = await database_sync_to_async(session_cookie)(users[role])
                if cookie:
                    headers.append((b"cookie", cookie))
                communicator = WebsocketCommunicator(
                    application(), f"/ws/consultations/{targets[case]}/", headers=headers
                )
                connected, code = await communicator.connect()
                outcome = "ok"
                if not connected:
                    outcome = str(code)
                else:
                    message = await communicator.receive_output(timeout=3)
                    if message["type"] == "websocket.close":
                        outcome = str(message.get("code"))
                await communicator.disconnect()
                checked += 1
                if outcome != expected_by_role[role]:
                    mismatches.append(f"{route} {case} as {role}: expected {expected_by_role[role]}, got {outcome}")
    print(f"checked {checked} socket (route, case, role) cells")
    assert not mismatches, "\n".join(mismatches)
