"""Namespaces as organizations: members and roles, sharing policies and the audit log."""
