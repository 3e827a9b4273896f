"""The consultation part of "download my data": contributions (with history), votes, flags, follows, block."""

from consult.models import Contribution, Flag, Follow, ParticipationBlock, Vote


def personal_data(user):
    contributions = []
    for c in (
        Contribution.objects.filter(author=user)
        .select_related("consultation", "section", "organisation")
        .prefetch_related("revisions")
        .order_by("created_at")
    ):
        contributions.append(
            {
                "recepisse": c.receipt_number,
                "consultation": c.consultation.title,
                "section": c.section.title,
                "reponse_a": c.parent_id,
                "au_nom_de": c.organisation.name if c.organisation_id else None,
                "position": c.stance or None,
                "texte": c.body,
                "liens_interets": c.interests or None,
                "aucun_lien": c.no_interests,
                "statut": c.status,
                "motif_masquage": c.hidden_reason or None,
                "cree_le": c.created_at.isoformat(),
                "modifie_le": c.edited_at.isoformat() if c.edited_at else None,
                "versions_precedentes": [{"texte": r.body, "le": r.created_at.isoformat()} for r in c.revisions.all()],
            }
        )
    votes = [
        {
            "contribution": v.contribution_id,
            "vote": "d'accord" if v.value > 0 else "pas d'accord",
            "le": v.created_at.isoformat(),
        }
        for v in Vote.objects.filter(user=user).order_by("created_at")
    ]
    flags = [
        {"contribution": f.contribution_id, "motif": f.reason, "precisions": f.text, "le": f.created_at.isoformat()}
        for f in Flag.objects.filter(user=user).order_by("created_at")
    ]
    follows = [
        {"consultation": f.consultation.title, "depuis": f.created_at.isoformat()}
        for f in Follow.objects.filter(user=user).select_related("consultation")
    ]
    block = ParticipationBlock.objects.filter(user=user).first()
    return "consultations", {
        "contributions": contributions,
        "votes": votes,
        "signalements": flags,
        "consultations_suivies": follows,
        "suspension": {"motif": block.reason, "depuis": block.created_at.isoformat()} if block else None,
    }
