"""Database: SQLAlchemy models (``models``) and engines/sessions (``session``)."""
