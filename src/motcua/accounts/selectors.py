"""Who may act where: the agencies and roles an officer holds."""

from __future__ import annotations

from motcua.accounts.models import ApiToken, ExternalIdentity, Membership, Role, User
from motcua.agencies.models import Agency


def memberships_of(user: User) -> list[Membership]:
    if not user.is_authenticated or not user.is_officer:
        return []
    cached: list[Membership] | None = getattr(user, "_membership_cache", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("agency"))
        user._membership_cache = cached  # type: ignore[attr-defined]
    return cached


def roles_over(user: User, agency: Agency) -> set[str]:
    """The roles ``user`` holds over ``agency`` (a membership in it or in one of its ancestors)."""
    return {m.role for m in memberships_of(user) if agency.is_within(m.agency)}


def has_role_over(user: User, agency: Agency, roles: set[Role] | set[str]) -> bool:
    return bool(roles_over(user, agency) & {str(r) for r in roles})


def scope_paths(user: User) -> list[str]:
    """Materialised paths of the agencies whose subtrees the officer may see."""
    return sorted({m.agency.path for m in memberships_of(user)})


def member_agencies(user: User) -> list[Agency]:
    """The agencies the officer holds a membership in (not their subtrees), in tree order."""
    return sorted({m.agency for m in memberships_of(user)}, key=lambda agency: agency.path)


def officer_by_username(username: str) -> User | None:
    return User.objects.filter(username=username, kind="officer", is_active=True).first()


def user_for_token(key: str) -> User | None:
    """The active user owning the unexpired bearer token ``key``."""
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key)).first()
    if token is None or not token.is_valid() or not token.user.is_active:
        return None
    return token.user


def verified_identity(user: User) -> ExternalIdentity | None:
    """The national-identity sign-in (DVCQG SSO / VNeID) of ``user``, the latest seen; None if it has none.

    For the portal (show the verified name, ID number and account level) and for monitoring (the Decision
    766 population-data indicator counts dossiers whose account was authenticated through it).
    """
    if not user.is_authenticated or user.pk is None:
        return None
    return ExternalIdentity.objects.filter(user=user).order_by("-last_seen_at", "-pk").first()
