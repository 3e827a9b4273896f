"""Staff roles are Django/Wagtail groups created by a migration; code refers to them by these names only."""

MODERATOR = "Modération"
REVIEWER = "Instruction des candidatures"
EDITOR = "Édition"

ALL_ROLES = (MODERATOR, REVIEWER, EDITOR)


def has_role(user, role: str) -> bool:
    """True for members of the group, and for superusers (who hold every role)."""
    if not user or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cache = getattr(user, "_agora_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._agora_groups = cache
    return role in cache


def is_moderator(user) -> bool:
    return has_role(user, MODERATOR)


def is_reviewer(user) -> bool:
    return has_role(user, REVIEWER)


def is_editor(user) -> bool:
    return has_role(user, EDITOR)
