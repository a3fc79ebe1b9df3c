"""The one file uploader of every import: CSV or XLSX, at most the server's own limit, said in the user's language."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from data_model.schema.settings import get_settings
from ui.i18n import t
from ui.streamlit_words import cover_uploader_words


def file_upload(*, label: str, key: str, types: tuple[str, ...] = ("csv", "xlsx")) -> UploadedFile | None:
    """A CSV/XLSX uploader (or the given types) whose browser limit is the server's (MAX_UPLOAD_MB), named in its
    label and help."""
    # a bare `streamlit run` takes .streamlit/config.toml's limit, not the setting: the browser offers the smaller one
    limit = min(get_settings().upload_limit_mb, int(st.get_option("server.maxUploadSize")))
    cover_uploader_words(limit_mb=limit)
    # Streamlit's own refusal of a bigger file is English only ("File must be … or smaller."); the help explains it
    return st.file_uploader(t("{label} (tối đa {limit} MB)", label=label, limit=limit), type=list(types), key=key,
                            max_upload_size=limit,
                            help=t("Tệp lớn hơn {limit} MB không được tải lên (trình duyệt báo «File must be {limit}.0MB "
                                   "or smaller.»): hãy chia thành nhiều tệp nhỏ hơn.", limit=limit))
