"""Alembic migration environment, shipped inside the package so an installed server can
migrate itself (``rlcoach-server migrate``) without the source tree."""
