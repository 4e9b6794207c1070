"""Editing a user's template as text: ``nestry add`` for YAML and JSON templates."""
