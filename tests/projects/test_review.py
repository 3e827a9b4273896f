"""Reviewers: assignment, conflict-of-interest declaration and recusal, scoring, ranking table."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from projects import services
from projects.models import Application, Partner, ReviewAssignment
from projects.ranking import ranking
from projects.services import ProjectsError

A = Application
pytestmark = pytest.mark.django_db


@pytest.fixture
def under_review(open_call, organisation, application_factory):
    return application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)


def scores_for(application, values):
    return {c.pk: v for c, v in zip(application.call.criteria.all(), values, strict=True)}


def test_editor_assigns_a_reviewer_who_gets_an_email(
    under_review, editor, reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign_reviewer(under_review, reviewer, editor)
    assert not assignment.recused
    assert any(reviewer.email in m.to for m in mailoutbox)


def test_assigning_a_non_reviewer_is_refused(under_review, editor, bob):
    with pytest.raises(ProjectsError):
        services.assign_reviewer(under_review, bob, editor)


def test_reviewer_cannot_assign(under_review, reviewer, reviewer2):
    with pytest.raises(ProjectsError):
        services.assign_reviewer(under_review, reviewer2, reviewer)


def test_member_of_the_applicant_is_recused_automatically(under_review, editor, reviewer):
    Membership.objects.create(organisation=under_review.organisation, user=reviewer)
    assignment = services.assign_reviewer(under_review, reviewer, editor)
    assert assignment.recused


def test_member_of_a_partner_organisation_is_recused_automatically(under_review, editor, reviewer, organisation_b):
    Partner.objects.create(
        application=under_review,
        name=organisation_b.name,
        kind="association",
        role="Relais",
        organisation=organisation_b,
    )
    Membership.objects.create(organisation=organisation_b, user=reviewer)
    assert services.assign_reviewer(under_review, reviewer, editor).recused


def test_declared_link_with_applicant_recuses(under_review, editor, reviewer):
    assignment = services.assign_reviewer(under_review, reviewer, editor)
    services.declare_conflicts(assignment, reviewer, linked_to_applicant=True)
    assignment.refresh_from_db()
    assert assignment.recused and assignment.conflict_declared_at


def test_declared_link_with_a_partner_recuses(consortium_call, organisation, application_factory, editor, reviewer):
    application = application_factory(consortium_call, organisation, status=A.STATUS_UNDER_REVIEW)
    assignment = services.assign_reviewer(application, reviewer, editor)
    partner = application.partners.first()
    services.declare_conflicts(assignment, reviewer, linked_to_applicant=False, partner_ids=[partner.pk])
    assignment.refresh_from_db()
    assert assignment.recused


def test_no_declared_link_keeps_the_assignment(under_review, editor, reviewer):
    assignment = services.assign_reviewer(under_review, reviewer, editor)
    services.declare_conflicts(assignment, reviewer, linked_to_applicant=False)
    assignment.refresh_from_db()
    assert not assignment.recused


def test_only_the_assigned_reviewer_declares(under_review, editor, reviewer, reviewer2):
    assignment = services.assign_reviewer(under_review, reviewer, editor)
    with pytest.raises(ProjectsError):
        services.declare_conflicts(assignment, reviewer2, linked_to_applicant=False)


def test_scoring_before_declaring_is_refused(under_review, assign, reviewer):
    assignment = assign(under_review, reviewer, declared=False)
    with pytest.raises(ProjectsError, match="liens"):
        services.save_scores(assignment, reviewer, scores_for(under_review, [4, 4, 4]))


def test_recused_reviewer_cannot_score(under_review, assign, reviewer):
    assignment = assign(under_review, reviewer, recused=True)
    with pytest.raises(ProjectsError, match="déporté"):
        services.save_scores(assignment, reviewer, scores_for(under_review, [4, 4, 4]))


def test_another_reviewer_cannot_score_my_assignment(under_review, assign, reviewer, reviewer2):
    assignment = assign(under_review, reviewer)
    with pytest.raises(ProjectsError):
        services.save_scores(assignment, reviewer2, scores_for(under_review, [4, 4, 4]))


def test_scores_must_be_in_scale(under_review, assign, reviewer):
    assignment = assign(under_review, reviewer)
    with pytest.raises(ProjectsError):
        services.save_scores(assignment, reviewer, scores_for(under_review, [6, 4, 4]))


def test_final_review_needs_every_criterion(under_review, assign, reviewer):
    assignment = assign(under_review, reviewer)
    with pytest.raises(ProjectsError):
        services.save_scores(assignment, reviewer, scores_for(under_review, [4, None, 4]), final=True)
    services.save_scores(assignment, reviewer, scores_for(under_review, [4, None, 4]))  # partial save is fine


def test_scoring_is_refused_outside_review(open_call, organisation, application_factory, assign, reviewer):
    application = application_factory(open_call, organisation, status=A.STATUS_ACCEPTED)
    assignment = assign(application, reviewer)
    with pytest.raises(ProjectsError):
        services.save_scores(assignment, reviewer, scores_for(application, [4, 4, 4]))


def test_submitted_review_is_frozen(under_review, assign, reviewer):
    assignment = assign(under_review, reviewer)
    services.save_scores(assignment, reviewer, scores_for(under_review, [4, 4, 4]), final=True)
    with pytest.raises(ProjectsError):
        services.save_scores(assignment, reviewer, scores_for(under_review, [1, 1, 1]))


def test_ranking_weighted_average_spread_and_missing(
    open_call, organisation, application_factory, assign, reviewer, reviewer2
):
    best = application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)
    other = application_factory(open_call, organisation, status=A.STATUS_UNDER_REVIEW)
    # Weights 3, 2, 1: (5*3 + 4*2 + 3*1) / 6 = 4.33 ; (3*3 + 3*2 + 3*1)/6 = 3
    services.save_scores(assign(best, reviewer), reviewer, scores_for(best, [5, 4, 3]), final=True)
    services.save_scores(assign(best, reviewer2), reviewer2, scores_for(best, [3, 3, 3]), final=True)
    services.save_scores(assign(other, reviewer), reviewer, scores_for(other, [2, 2, 2]), final=True)
    assign(other, reviewer2)  # not finalised
    rows = ranking(open_call)
    assert [r.application_id for r in rows] == [best.pk, other.pk]
    assert rows[0].average == pytest.approx(3.67, abs=0.01)
    assert rows[0].spread == pytest.approx(1.33, abs=0.01)
    assert rows[0].missing == 0
    assert rows[1].average == 2 and rows[1].missing == 1


def test_recused_reviews_do_not_count(under_review, assign, reviewer, reviewer2):
    services.save_scores(assign(under_review, reviewer), reviewer, scores_for(under_review, [5, 5, 5]), final=True)
    ReviewAssignment.objects.filter(reviewer=reviewer).update(recused=True)
    rows = ranking(under_review.call)
    assert rows[0].average is None


def make_scored_applications(call, organisation, application_factory, assign, reviewers, n):
    for _ in range(n):
        application = application_factory(call, organisation, status=A.STATUS_UNDER_REVIEW)
        for reviewer in reviewers:
            services.save_scores(
                assign(application, reviewer), reviewer, scores_for(application, [3, 4, 5]), final=True
            )


def test_ranking_view_query_count_is_constant(
    login,
    editor,
    open_call,
    organisation,
    application_factory,
    assign,
    reviewer,
    reviewer2,
    django_assert_max_num_queries,
):
    make_scored_applications(open_call, organisation, application_factory, assign, [reviewer, reviewer2], 3)
    client = login(editor)
    url = reverse("projects:staff_ranking", args=[open_call.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    make_scored_applications(open_call, organisation, application_factory, assign, [reviewer, reviewer2], 12)
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("AAP-2026-") >= 15


@pytest.mark.parametrize("who,status", [("reviewer", 403), ("asso_admin", 403), ("bob", 403)])
def test_ranking_is_for_editors_only(who, status, request, login, open_call):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("projects:staff_ranking", args=[open_call.pk])).status_code == status


def test_review_page_asks_for_declaration_first(login, under_review, assign, reviewer):
    assignment = assign(under_review, reviewer, declared=False)
    client = login(reviewer)
    page = client.get(reverse("projects:review", args=[assignment.pk])).content.decode()
    assert "Déclaration de liens" in page
    assert under_review.description not in page
    response = client.post(reverse("projects:review", args=[assignment.pk]), {"action": "declare"})
    assert response.status_code == 302
    page = client.get(reverse("projects:review", args=[assignment.pk])).content.decode()
    assert under_review.description in page and "Grille" in page


def test_review_page_scores_and_submits(login, under_review, assign, reviewer):
    assignment = assign(under_review, reviewer)
    client = login(reviewer)
    data = {f"criterion_{c.pk}": 4 for c in under_review.call.criteria.all()}
    data.update(action="submit", private_comment="Bon dossier")
    client.post(reverse("projects:review", args=[assignment.pk]), data)
    assignment.refresh_from_db()
    assert assignment.submitted_at and assignment.private_comment == "Bon dossier"
    assert assignment.scores.count() == 3


def test_blind_review_hides_identity_from_reviewer(
    login, consortium_call, organisation, application_factory, assign, reviewer
):
    application = application_factory(consortium_call, organisation, status=A.STATUS_UNDER_REVIEW)
    assignment = assign(application, reviewer)
    page = login(reviewer).get(reverse("projects:review", args=[assignment.pk])).content.decode()
    assert application.title in page
    assert organisation.name not in page
    assert organisation.rna not in page
    assert "Medilab SAS" not in page and "CHU de Toulouse" not in page  # partner names hidden
    assert "statuts.pdf" not in page


def test_reviewer_not_blind_sees_identity(login, under_review, assign, reviewer):
    assignment = assign(under_review, reviewer)
    page = login(reviewer).get(reverse("projects:review", args=[assignment.pk])).content.decode()
    assert under_review.organisation.name in page


def test_final_grid_stores_its_weighted_total(under_review, assign, reviewer):
    assignment = assign(under_review, reviewer)
    services.save_scores(assignment, reviewer, scores_for(under_review, [5, 4, 3]), final=True)
    assignment.refresh_from_db()
    assert float(assignment.weighted_total) == pytest.approx(26 / 6, abs=0.001)


def test_changing_weights_recomputes_totals(under_review, assign, reviewer):
    assignment = assign(under_review, reviewer)
    services.save_scores(assignment, reviewer, scores_for(under_review, [5, 4, 3]), final=True)
    under_review.call.criteria.update(weight=1)
    assert services.recompute_weighted_totals(under_review.call) == 1
    assignment.refresh_from_db()
    assert float(assignment.weighted_total) == 4.0
