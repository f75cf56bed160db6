"""Users and their upstream identities.

Design: a user is created on first login with a provider and found again by
(provider, subject), never by email: emails change and are not unique across providers,
so merging by email would let one provider's account take over another's.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Identity, User
from .providers import UpstreamIdentity


def get_or_create_user(db: Session, ident: UpstreamIdentity) -> User:
    existing = db.execute(
        select(Identity).where(
            Identity.provider == ident.provider, Identity.subject == ident.subject
        )
    ).scalar_one_or_none()
    if existing is not None:
        user = db.get(User, existing.user_id)
        assert user is not None  # FK + cascade guarantee it
        # Keep profile fields fresh; they are only shown back to the user.
        if ident.email:
            user.email = ident.email
        if ident.name:
            user.name = ident.name
        return user
    user = User(email=ident.email, name=ident.name)
    db.add(user)
    db.flush()
    db.add(Identity(user_id=user.id, provider=ident.provider, subject=ident.subject))
    db.flush()
    return user
