"""Retiring and tagging versions after publish: dist-tags, yank/unyank, deprecate."""
