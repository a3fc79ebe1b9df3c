"""Unexpected errors: the user reads a short message with a reference, the server log keeps the traceback."""
from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from streamlit.errors import FragmentHandledException

from ui.i18n import t

LOG = logging.getLogger("border_outreach.ui")


def show_unexpected_error(exc: BaseException) -> str:
    """Log the exception with its traceback under a new reference and tell the user, without details; the reference."""
    reference = uuid.uuid4().hex[:8]
    LOG.error("Unexpected error on a page (reference %s)", reference, exc_info=exc)
    st.error(t(f"Đã xảy ra lỗi ngoài dự kiến, thao tác chưa hoàn tất. Hãy thử lại; nếu vẫn lỗi, báo cho quản trị viên "
               f"mã lỗi **{reference}**.",
               f"Something unexpected went wrong and the action was not completed. Try again; if it happens again, "
               f"give the administrator the error reference **{reference}**."), icon=":material/error:")
    return reference


@contextmanager
def plain_errors() -> Iterator[None]:
    """Run a block of the app; an unexpected exception becomes a plain message (st.stop/st.rerun pass through)."""
    try:
        yield
    except FragmentHandledException:  # a fragment's error, already shown and logged by Streamlit
        raise
    except Exception as exc:  # Streamlit's own control flow (stop, rerun, switch_page) is a BaseException
        show_unexpected_error(exc)
