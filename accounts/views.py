import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import rules, services
from accounts.forms import DeleteAccountForm, InvitationForm, OrganisationForm, ProfileForm
from accounts.models import Invitation, Membership, Organisation
from core.ratelimit import ratelimit


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Votre profil a été enregistré.")
        return redirect("accounts:profile")
    organisations = Membership.objects.filter(user=request.user).select_related("organisation")
    return render(request, "accounts/profile.html", {"form": form, "memberships": organisations})


@login_required
def download_my_data(request):
    """RGPD right of access: everything we hold about the person, nothing about anyone else."""
    data = services.export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="agora-sante-mes-donnees-{stamp}.json"'
    return response


@login_required
@ratelimit("delete_account", user_rate="5/h", ip_rate="20/h")
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        services.delete_account(user)
        messages.success(request, "Votre compte a été supprimé. Vos contributions publiques restent, anonymisées.")
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(request.user, form.save(commit=False))
        messages.success(
            request,
            "Organisation créée. Le ministère vérifiera ses informations ; vous pouvez déjà inviter des membres.",
        )
        return redirect(organisation.get_absolute_url())
    return render(request, "accounts/organisation_form.html", {"form": form, "creating": True})


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    context = {"organisation": organisation, "can_edit": rules.can_edit(request.user, organisation)}
    if rules.can_view_private(request.user, organisation):
        context["memberships"] = organisation.memberships.select_related("user").order_by("role", "joined_at")
        context["invitations"] = organisation.invitations.filter(accepted_at__isnull=True)
        context["invite_form"] = InvitationForm() if context["can_edit"] else None
    return render(request, "accounts/organisation_detail.html", context)


@login_required
def organisation_edit(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    if not rules.can_edit(request.user, organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Les informations de l'organisation ont été enregistrées.")
        return redirect(organisation.get_absolute_url())
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
@ratelimit("invite", user_rate="20/h", ip_rate="40/h")
def organisation_invite(request, slug):
    organisation = get_object_or_404(Organisation, slug=slug)
    if not rules.can_edit(request.user, organisation):
        raise PermissionDenied
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invite(organisation, form.cleaned_data["email"], form.cleaned_data["role"], request.user, request)
            messages.success(request, "Invitation envoyée.")
        except services.AccountsError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "Adresse électronique invalide : l'invitation n'a pas été envoyée.")
    return redirect(organisation.get_absolute_url())


@login_required
@require_POST
def organisation_remove_member(request, slug, membership_id):
    organisation = get_object_or_404(Organisation, slug=slug)
    membership = get_object_or_404(Membership, pk=membership_id, organisation=organisation)
    if not (rules.can_edit(request.user, organisation) or membership.user_id == request.user.pk):
        raise PermissionDenied
    try:
        services.remove_member(membership, request.user)
        messages.success(request, "Le membre a été retiré de l'organisation.")
    except services.AccountsError as error:
        messages.error(request, str(error))
    return redirect(organisation.get_absolute_url())


@login_required
def invitation_accept(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    if request.method == "POST":
        try:
            services.accept_invitation(invitation, request.user)
            messages.success(request, f"Vous avez rejoint {invitation.organisation.name}.")
            return redirect(invitation.organisation.get_absolute_url())
        except services.AccountsError as error:
            messages.error(request, str(error))
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
