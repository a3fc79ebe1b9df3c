"""Unexpected errors: the user reads a short message with a reference, the server log keeps the traceback."""
from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.errors import FragmentHandledException

from data_model.texts.errors import UserError
from ui.auth import plain
from ui.i18n import current_language, t

LOG = logging.getLogger("border_outreach.ui")


def log_unexpected_error(exc: BaseException) -> str:
    """Log the exception with its traceback under a new reference; the reference."""
    reference = uuid.uuid4().hex[:8]
    LOG.error("Unexpected error on a page (reference %s)", reference, exc_info=exc)
    return reference


def show_unexpected_error(exc: BaseException) -> str:
    """Log the exception with its traceback under a new reference and tell the user, without details; the reference."""
    reference = log_unexpected_error(exc)
    st.error(t("Đã xảy ra lỗi ngoài dự kiến, thao tác chưa hoàn tất. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị viên "
               "mã lỗi **{reference}**.", reference=reference), icon=":material/error:")
    return reference


def show_user_error(exc: UserError) -> None:
    """A refusal the user can act on, in the current language (no reference: nothing unexpected happened)."""
    st.error(plain(exc.message(current_language())), icon=":material/block:")


@contextmanager
def plain_errors() -> Iterator[None]:
    """Run a block of the app; a UserError shows its message, any other exception a plain one (st.stop/rerun pass)."""
    try:
        yield
    except FragmentHandledException:  # a fragment's error, already shown and logged by Streamlit
        raise
    except UserError as exc:  # a refusal no page caught: the user reads why, in their language
        show_user_error(exc)
    except Exception as exc:  # Streamlit's own control flow (stop, rerun, switch_page) is a BaseException
        show_unexpected_error(exc)
