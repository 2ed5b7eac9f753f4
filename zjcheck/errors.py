"""Exceptions that end a run with a usage/configuration error (exit code 2)."""


class UsageError(Exception):
    """Bad option, unreadable profile or catalogue: exit code 2, message in Chinese."""
