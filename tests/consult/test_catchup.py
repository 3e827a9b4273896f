"""HTTP catch-up (consult:events): the events after a given id, with the socket's audience rule and payloads."""

import pytest
from django.db import transaction
from django.urls import reverse

from consult import services
from consult.models import ConsultationEvent, ConsultationPage, Contribution


def post(user, section, body="Une contribution.", **kwargs):
    kwargs.setdefault("no_interests", True)
    contribution, _ = services.create_contribution(user, section, body, stance=Contribution.STANCE_FOR, **kwargs)
    return contribution


def events_url(consultation, after=None):
    url = reverse("consult:events", args=[consultation.pk])
    return url if after is None else f"{url}?after={after}"


@pytest.fixture
def a_priori(consultation_factory):
    return consultation_factory(mode=ConsultationPage.MODERATION_A_PRIORI)


@pytest.fixture
def mixed_events(a_priori, alice, bob, moderator, django_capture_on_commit_callbacks):
    """In an a-priori consultation: one published (public event), one pending from alice (author event),
    one moderators-only event."""
    section = a_priori.sections.first()
    with django_capture_on_commit_callbacks(execute=True):
        published = post(bob, section, "Publiée après validation.")
        services.publish(moderator, published)
        pending = post(alice, section, "Toujours en attente.")
        with transaction.atomic():
            internal = services.record_event(
                published, ConsultationEvent.KIND_EDITED, ConsultationEvent.AUDIENCE_MODERATORS
            )
    return {"published": published, "pending": pending, "internal": internal}


def visible_ids(client, consultation):
    response = client.get(events_url(consultation, 0))
    assert response.status_code == 200
    return [(e["kind"], e["contribution_id"]) for e in response.json()["events"]]


@pytest.mark.parametrize("persona", ["anonymous", "citizen", "author", "moderator"])
def test_catch_up_shows_each_reader_only_the_events_meant_for_them(
    persona, client, a_priori, mixed_events, alice, bob, moderator, user_factory
):
    published, pending = mixed_events["published"], mixed_events["pending"]
    users = {
        "anonymous": None,
        "citizen": user_factory("carla@example.org", "Carla"),
        "author": alice,
        "moderator": moderator,
    }
    if users[persona] is not None:
        client.force_login(users[persona])
    created, published_kind = ConsultationEvent.KIND_CREATED, ConsultationEvent.KIND_PUBLISHED
    expected = {
        # bob's contribution was created pending (its author only), then published (everyone).
        "anonymous": [(published_kind, published.pk)],
        "citizen": [(published_kind, published.pk)],
        "author": [(published_kind, published.pk), (created, pending.pk)],
        "moderator": [
            (created, published.pk),
            (published_kind, published.pk),
            (created, pending.pk),
            (ConsultationEvent.KIND_EDITED, published.pk),
        ],
    }[persona]
    assert visible_ids(client, a_priori) == expected


def test_the_author_of_a_pending_contribution_sees_its_creation(client, a_priori, mixed_events, bob):
    client.force_login(bob)
    ids = visible_ids(client, a_priori)
    assert (ConsultationEvent.KIND_CREATED, mixed_events["published"].pk) in ids
    assert (ConsultationEvent.KIND_CREATED, mixed_events["pending"].pk) not in ids


def test_catch_up_never_carries_a_contribution_text(client, a_priori, mixed_events, moderator):
    client.force_login(moderator)
    content = client.get(events_url(a_priori, 0)).content.decode()
    assert "attente" not in content and "validation" not in content


def test_catch_up_returns_only_events_after_the_given_id(client, consultation, section, alice):
    first = post(alice, section, "Première.")
    after = ConsultationEvent.objects.filter(contribution=first).get().pk
    second = post(alice, section, "Deuxième.")
    data = client.get(events_url(consultation, after)).json()
    assert [e["contribution_id"] for e in data["events"]] == [second.pk]
    assert data["last_event_id"] == data["events"][-1]["id"]
    assert data["has_more"] is False


def test_catch_up_is_capped_with_has_more(client, consultation, section, alice, settings):
    settings.CONSULT_LIVE_CATCHUP_LIMIT = 2
    posted = [post(alice, section, f"Texte {i}.") for i in range(3)]
    data = client.get(events_url(consultation, 0)).json()
    assert [e["contribution_id"] for e in data["events"]] == [c.pk for c in posted[:2]]
    assert data["has_more"] is True
    data = client.get(events_url(consultation, data["last_event_id"])).json()
    assert [e["contribution_id"] for e in data["events"]] == [posted[2].pk]
    assert data["has_more"] is False


def test_catch_up_is_private_to_the_reader(client, consultation):
    response = client.get(events_url(consultation, 0))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response.json() == {"events": [], "has_more": False, "last_event_id": 0}


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "9" * 30])
def test_catch_up_refuses_a_malformed_after(client, consultation, after):
    response = client.get(events_url(consultation) + f"?after={after}")
    assert response.status_code == 400
    assert "after" in response.json()["error"]


def test_catch_up_of_an_unpublished_consultation_is_not_found(client, consultation):
    consultation.unpublish()
    assert client.get(events_url(consultation, 0)).status_code == 404


def test_catch_up_of_a_group_restricted_consultation_answers_only_members_and_moderators(
    client, consultation, alice, bob, moderator
):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    group = Group.objects.create(name="Comité restreint")
    bob.groups.add(group)
    restriction = PageViewRestriction.objects.create(page=consultation, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(group)
    assert client.get(events_url(consultation, 0)).status_code == 404
    client.force_login(alice)
    assert client.get(events_url(consultation, 0)).status_code == 404
    for user in (bob, moderator):
        client.force_login(user)
        assert client.get(events_url(consultation, 0)).status_code == 200


def test_catch_up_refuses_post(client, consultation):
    assert client.post(events_url(consultation, 0)).status_code == 405


def test_catch_up_query_count_does_not_grow_with_the_number_of_events(
    client, consultation, section, alice, django_assert_max_num_queries
):
    for i in range(30):
        post(alice, section, f"Texte {i}.")
    client.force_login(alice)
    client.get(events_url(consultation, 0))  # warm the session
    with django_assert_max_num_queries(8):
        data = client.get(events_url(consultation, 0)).json()
    assert len(data["events"]) == 30


# --- catch-up pages shared by the readers of a consultation (events.shared_page) ---------------------------


@pytest.fixture
def fresh_shared_pages():
    from consult.websockets import events

    events._shared_pages.clear()
    yield events
    events._shared_pages.clear()


def test_readers_asking_the_same_catch_up_share_one_page(
    consultation, section, alice, fresh_shared_pages, django_assert_num_queries
):
    from consult.websockets.visibility import Viewer

    posted = [post(alice, section, f"Texte {i}.") for i in range(5)]
    first = fresh_shared_pages.events_after(consultation.pk, Viewer(None, False), 0)
    with django_assert_num_queries(1):  # the state of the log only: the page itself is shared
        again = fresh_shared_pages.events_after(consultation.pk, Viewer(alice.pk, False), 0)
    assert again == first
    assert [e["contribution_id"] for e in first[0]] == [c.pk for c in posted]


def test_an_event_committed_out_of_id_order_is_in_the_next_shared_page(
    consultation, section, alice, fresh_shared_pages
):
    from consult.websockets.visibility import Viewer

    contribution = post(alice, section)
    created = ConsultationEvent.objects.get(contribution=contribution)
    later = ConsultationEvent.objects.create(
        id=created.pk + 10,
        consultation_id=consultation.pk,
        kind=ConsultationEvent.KIND_VOTES,
        contribution=contribution,
    )
    anonymous = Viewer(None, False)
    assert [e["id"] for e in fresh_shared_pages.events_after(consultation.pk, anonymous, 0)[0]] == [
        created.pk,
        later.pk,
    ]
    # An id allocated before `later` but committed after it: same highest id, one more event.
    between = ConsultationEvent.objects.create(
        id=created.pk + 5, consultation_id=consultation.pk, kind=ConsultationEvent.KIND_VOTES, contribution=contribution
    )
    assert [e["id"] for e in fresh_shared_pages.events_after(consultation.pk, anonymous, 0)[0]] == [
        created.pk,
        between.pk,
        later.pk,
    ]


def test_a_change_that_takes_something_away_renews_the_shared_page(consultation, section, alice, fresh_shared_pages):
    from consult.models import page_cache_scope
    from consult.websockets.visibility import Viewer
    from core import pagecache

    contribution = post(alice, section)
    anonymous = Viewer(None, False)
    assert fresh_shared_pages.events_after(consultation.pk, anonymous, 0)[0][0]["status"] == "published"
    # A change written without an event of its own (none does today): the strict version it bumps is enough.
    Contribution.objects.filter(pk=contribution.pk).update(
        status=Contribution.STATUS_HIDDEN, hidden_reason="Hors sujet"
    )
    pagecache.bump(page_cache_scope(consultation.pk))
    payload = fresh_shared_pages.events_after(consultation.pk, anonymous, 0)[0][0]
    assert payload["status"] == Contribution.STATUS_HIDDEN and payload["hidden_reason"] == "Hors sujet"


def test_without_the_cache_catch_up_pages_are_built_for_each_reader(
    consultation, section, alice, fresh_shared_pages, monkeypatch, django_assert_num_queries
):
    from consult.websockets.visibility import Viewer
    from core import pagecache

    post(alice, section)
    monkeypatch.setattr(pagecache, "strict_versions", lambda scope: None)  # Redis unreachable
    monkeypatch.setattr(pagecache, "version", lambda scope: None)
    fresh_shared_pages.events_after(consultation.pk, Viewer(None, False), 0)
    with django_assert_num_queries(2):  # the state of the log, then the page again
        fresh_shared_pages.events_after(consultation.pk, Viewer(None, False), 0)
    assert not fresh_shared_pages._shared_pages


@pytest.mark.parametrize("first_reader", ["moderator", "author", "anonymous"])
def test_each_reader_gets_only_its_own_audience_from_a_shared_page(
    first_reader, a_priori, mixed_events, alice, moderator, fresh_shared_pages
):
    from consult.websockets.visibility import Viewer

    viewers = {
        "moderator": Viewer(moderator.pk, True),
        "author": Viewer(alice.pk, False),
        "anonymous": Viewer(None, False),
        "citizen": Viewer(alice.pk + 1000, False),
    }
    fresh_shared_pages.events_after(a_priori.pk, viewers[first_reader], 0)  # builds the shared page
    published, pending = mixed_events["published"].pk, mixed_events["pending"].pk
    seen = {
        name: [(e["kind"], e["contribution_id"]) for e in fresh_shared_pages.events_after(a_priori.pk, viewer, 0)[0]]
        for name, viewer in viewers.items()
    }
    created, published_kind = ConsultationEvent.KIND_CREATED, ConsultationEvent.KIND_PUBLISHED
    assert seen["anonymous"] == seen["citizen"] == [(published_kind, published)]
    assert seen["author"] == [(published_kind, published), (created, pending)]
    assert (ConsultationEvent.KIND_EDITED, published) in seen["moderator"]


def test_a_socket_catch_up_is_one_message_serialized_once_for_anonymous_readers(
    consultation, section, alice, fresh_shared_pages, monkeypatch
):
    import json

    from consult.websockets.visibility import Viewer

    posted = [post(alice, section, f"Texte {i}.") for i in range(3)]
    dumps = []
    real_dumps = json.dumps

    def counting_dumps(value, *args, **kwargs):  # json is shared: count only catch-up answers
        if isinstance(value, dict) and value.get("type") == "synced":
            dumps.append(1)
        return real_dumps(value, *args, **kwargs)

    monkeypatch.setattr(fresh_shared_pages.json, "dumps", counting_dumps)
    first = fresh_shared_pages.catch_up_message(consultation.pk, Viewer(None, False), 0)
    again = fresh_shared_pages.catch_up_message(consultation.pk, Viewer(None, False), 0)
    assert first is again and len(dumps) == 1
    message = json.loads(first)
    assert message["type"] == "synced" and message["has_more"] is False
    assert [e["contribution_id"] for e in message["events"]] == [c.pk for c in posted]
    assert message["last_event_id"] == message["events"][-1]["id"]


@pytest.mark.parametrize("first_reader", ["author", "anonymous"])
def test_a_serialized_catch_up_is_never_shared_beyond_its_audience(
    first_reader, a_priori, mixed_events, alice, fresh_shared_pages
):
    import json

    from consult.websockets.visibility import Viewer

    viewers = {"author": Viewer(alice.pk, False), "anonymous": Viewer(None, False)}
    fresh_shared_pages.catch_up_message(a_priori.pk, viewers[first_reader], 0)
    pending = mixed_events["pending"].pk
    received = {
        name: [
            e["contribution_id"] for e in json.loads(fresh_shared_pages.catch_up_message(a_priori.pk, v, 0))["events"]
        ]
        for name, v in viewers.items()
    }
    assert pending in received["author"]
    assert pending not in received["anonymous"]
