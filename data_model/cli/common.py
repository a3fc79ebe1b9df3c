"""What every command shares: the one-line error, the parser that raises it, the year rule, the engine, the actor.
Commands import this module, never cli/main.py (which imports them)."""
from __future__ import annotations

import argparse
from typing import NoReturn

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.cli.language import say
from data_model.schema.db import build_engine
from data_model.schema.models import User
from data_model.schema.settings import get_settings
from data_model.startup.init_db import open_database
from data_model.texts.errors import UserError


class CliError(UserError):
    """A user error: printed as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        raise CliError("{prog}: {message}", prog=self.prog, message=message)


def year(text: str) -> int:
    """A year within the one rule for years (data_model.basics.issues.YEAR_MIN–YEAR_MAX)."""
    # the same rule as the entry form, imports and the API
    from data_model.basics.issues import YEAR_MAX, YEAR_MIN

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say("năm không hợp lệ: {text!r}", text=text[:20])) from None
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise argparse.ArgumentTypeError(say("năm {year} nằm ngoài khoảng {low}–{high}", year=value, low=YEAR_MIN,
                                             high=YEAR_MAX))
    return value


def open_engine(*, create: bool = False) -> Engine:
    """The engine for DATABASE_URL, checked to be reachable; without create, an initialised database or an error."""
    settings = get_settings()
    if not create:
        return open_database(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s)
    engine = build_engine(url=settings.database_url, busy_timeout_s=settings.sqlite_busy_timeout_s, create=True)
    with engine.connect():
        pass
    return engine


def actor_for(session: Session, username: str | None) -> Actor:
    """The named active user, or the system administrator when no --user is given."""
    if not username:
        return SYSTEM
    from data_model.accounts.users import to_actor

    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.active:
        raise PermissionDenied("không có tài khoản đang hoạt động tên «{username}»", username=username)
    return to_actor(user)
