"""Chinese for the command line's own words: help panels, the help option,
and usage errors (unknown option, missing argument, invalid value).

typer/click print these in English and offer no message catalogue in the
versions we support, so: the help panels' titles and the usage prefix are
set where typer keeps them (guarded: an unknown version keeps English rather
than failing), and usage errors are caught by `main` and said again in
Chinese from the patterns of zjcheck/data/cli_zh.toml (an unknown message is
shown as it is).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    return tomllib.loads(resources.files("zjcheck").joinpath("data/cli_zh.toml").read_text("utf-8"))


def install() -> None:
    """Chinese panel titles, default/required markers and usage prefix in typer's help."""
    try:
        from typer import rich_utils
    except ImportError:            # pragma: no cover - typer without rich help
        return
    for name, value in _table()["help"].items():
        if hasattr(rich_utils, name):
            setattr(rich_utils, name, value)
    usage = _table()["usage_prefix"]
    words = _table()["usage_words"]
    for modname in ("typer._click.core", "click.core"):
        try:
            core = __import__(modname, fromlist=["Command"])
        except ImportError:
            continue
        command = getattr(core, "Command", None)
        if command is None or getattr(command.get_help_option, "_zh", False):
            continue
        _patch_command(command, words)
    for modname in ("typer._click.formatting", "click.formatting"):
        try:
            mod = __import__(modname, fromlist=["HelpFormatter"])
        except ImportError:
            continue
        cls = getattr(mod, "HelpFormatter", None)
        original = getattr(cls, "write_usage", None)
        if original is None or getattr(original, "_zh", False):
            continue

        def write_usage(self, prog: str, args: str = "", prefix: str | None = None, _orig=original) -> None:  # type: ignore[no-untyped-def]
            _orig(self, prog, args, usage if prefix is None else prefix)
        write_usage._zh = True  # type: ignore[attr-defined]
        cls.write_usage = write_usage  # type: ignore[union-attr]


def _patch_command(command: Any, words: dict[str, str]) -> None:
    """The help option says what it does in Chinese; the usage line's
    [OPTIONS] / COMMAND [ARGS]... are Chinese words."""
    get_help_option = command.get_help_option
    collect = command.collect_usage_pieces

    def zh_help_option(self, ctx):  # type: ignore[no-untyped-def]
        opt = get_help_option(self, ctx)
        if opt is not None:
            opt.help = words["help"]
            if hasattr(opt, "metavar"):
                opt.metavar = ""
        return opt

    def zh_usage(self, ctx):  # type: ignore[no-untyped-def]
        return [words.get(p, p) for p in collect(self, ctx)]

    zh_help_option._zh = True  # type: ignore[attr-defined]
    command.get_help_option = zh_help_option
    command.collect_usage_pieces = zh_usage


def usage_error(message: str) -> str:
    """A click usage error message in Chinese (unknown messages unchanged)."""
    out = message
    for rule in _table()["errors"]:
        out = re.sub(rule["pattern"], rule["say"], out)
    return out


def is_usage_error(e: BaseException) -> bool:
    """click's UsageError (vendored by typer or not): exit code 2 and a message."""
    return hasattr(e, "format_message") and getattr(e, "exit_code", None) == 2
