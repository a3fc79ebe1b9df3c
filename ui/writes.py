"""Running a data_model write from a page and showing its outcome: one transaction, the known user errors as a
message, a flash message kept under one key per page and shown once on the next run."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from data_model.schema.db import write_session
from data_model.texts.errors import UserError
from ui.auth import plain
from ui.engine import clear_data_caches, get_engine
from ui.errors import log_unexpected_error
from ui.i18n import localize, t

T = TypeVar("T")
PAGE_KEY = "_page"  # session state: the stem of the page drawn last (set by ui.page.open_page)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a write gave: ok and its value, or the user error it raised."""

    ok: bool
    value: T | None = None
    error: Exception | None = None


def _flash_key() -> str:
    return f"flash__{st.session_state.get(PAGE_KEY, '')}"


def flash(kind: str, text: str, *, icon: str | None = None, keep: bool = False) -> None:
    """Remember a message ("success", "error" or "info") for the page's next run; keep: shown on every run until
    the page's next write (e.g. "saved as no. 12" while the next record is entered), else shown once."""
    st.session_state[_flash_key()] = (kind, text, icon, keep)


def take_flash(stem: str) -> tuple[str, str, str | None, bool] | None:
    """The message remembered for a page (kind, text, icon, keep), forgotten; None when there is none."""
    return st.session_state.pop(f"flash__{stem}", None)


def show_flash() -> None:
    """Show the page's remembered message (as plain text: it may quote what the user typed)."""
    key = _flash_key()
    message = st.session_state.get(key)
    if not message:
        return
    kind, text, icon, keep = message
    if not keep:
        del st.session_state[key]
    {"success": st.success, "error": st.error}.get(kind, st.info)(plain(text), icon=icon)


def run_write(write: Callable[[Session], T] | Callable[[Engine], T], *, success: str | Callable[[T], str] | None,
              callback: bool = False, passthrough: tuple[type[Exception], ...] = (), own_transaction: bool = False,
              error_icon: str | None = None, success_icon: str | None = None, keep: bool = False) -> Outcome[T]:
    """Run write(session) in one transaction (own_transaction: write(engine), for a data_model write that opens
    its own). A user error: its message (st.error here, or a flash when called from a widget callback); success:
    the data caches are cleared, the success text is flashed and, outside a callback, the page reruns to show it
    (keep: see flash). Exceptions in passthrough reach the caller (e.g. a form's field issues)."""
    st.session_state.pop(_flash_key(), None)
    try:
        if own_transaction:
            value = write(get_engine())
        else:
            with write_session(get_engine()) as session:
                value = write(session)
    except passthrough:
        raise
    except UserError as exc:  # written for the user, naming the field; anything else is unexpected
        if callback:
            flash("error", localize(exc), icon=error_icon, keep=keep)
        else:
            st.error(plain(exc), icon=error_icon)
        return Outcome(ok=False, error=exc)
    except Exception as exc:  # e.g. the database went away: the transaction was rolled back, the log keeps why
        message = t("Chưa lưu gì: đã xảy ra lỗi ngoài dự kiến (có thể do mất kết nối cơ sở dữ liệu). Hãy thử lại; nếu "
                    "vẫn lỗi, báo cho quản trị viên mã lỗi {reference}.", reference=log_unexpected_error(exc))
        if callback:  # an exception left in a callback would be Streamlit's English error page
            flash("error", message, icon=":material/error:", keep=keep)
        else:
            st.error(plain(message), icon=":material/error:")
        return Outcome(ok=False, error=exc)
    clear_data_caches()
    if success is not None:
        flash("success", success(value) if callable(success) else success, icon=success_icon, keep=keep)
    if not callback:
        st.rerun()
    return Outcome(ok=True, value=value)
