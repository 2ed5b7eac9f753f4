"""Exit codes and the exceptions that carry one (as OCRmyPDF's exceptions.py)."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """zjcheck's exit codes (SPEC §3): "checked and failed" is kept apart from
    "could not check"."""

    ok = 0                  # no errors (warnings allowed)
    errors = 1              # errors found: the package has gaps
    usage = 2               # usage or configuration error
    unchecked = 3           # some files could not be checked at all, or a checker crashed

    @classmethod
    def worst(cls, codes: set[int]) -> ExitCode:
        """The exit code of several packages: could-not-check wins, then errors."""
        for c in (cls.unchecked, cls.errors):
            if c in codes:
                return c
        return cls.ok


class ZjcheckError(Exception):
    """An error that ends the run; `exit_code` says how."""

    exit_code = ExitCode.unchecked


class UsageError(ZjcheckError):
    """Bad option, unreadable profile or catalogue: exit code 2, message in Chinese."""

    exit_code = ExitCode.usage
