"""The consultation's Wagtail view restrictions, remembered per process while none exists (consult.rules)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import PageViewRestriction

from consult import rules

pytestmark = pytest.mark.django_db


def section_url(section):
    return reverse("consult:section", args=[section.page_id, section.anchor])


def test_an_unrestricted_consultation_is_checked_once_then_from_memory(consultation, django_assert_num_queries):
    assert rules.view_restrictions(consultation) == []
    with django_assert_num_queries(0):
        assert rules.view_restrictions(consultation) == []


def test_a_restriction_added_on_the_consultation_is_read_at_the_next_check(
    consultation, django_capture_on_commit_callbacks
):
    assert rules.view_restrictions(consultation) == []
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=consultation, restriction_type="login")
    assert rules.view_restrictions(consultation) == [restriction]


def test_a_restriction_added_on_the_index_page_is_read_at_the_next_check(
    consultation, django_capture_on_commit_callbacks
):
    assert rules.view_restrictions(consultation) == []
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=consultation.get_parent(), restriction_type="login")
    assert rules.view_restrictions(consultation) == [restriction]


def test_a_signed_in_reader_is_refused_as_soon_as_a_group_restriction_leaves_them_out(
    client, alice, consultation, section, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert client.get(section_url(section)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(page=consultation, restriction_type="groups")
        restriction.groups.add(Group.objects.create(name="Comité restreint"))
    assert client.get(section_url(section)).status_code == 404
