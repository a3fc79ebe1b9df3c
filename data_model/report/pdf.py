"""The report as PDF: its DOCX converted by LibreOffice headless (Debian's libreoffice-writer-nogui)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from data_model.report.scope import ReportError

CONVERT_TIMEOUT_S = 180


def find_office() -> str | None:
    """The LibreOffice program on this machine (None when it is not installed)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def can_make_pdf() -> bool:
    """Whether this machine can turn a report into PDF."""
    return find_office() is not None


def convert_docx_to_pdf(*, docx: bytes, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """The PDF of a DOCX file's bytes, fonts embedded (ReportError in Vietnamese when LibreOffice is missing or
    fails)."""
    office = find_office()
    if office is None:
        raise ReportError("Không tạo được PDF: máy chủ chưa cài LibreOffice (gói Debian libreoffice-writer-nogui; "
                          "quản trị cài bằng «apt-get install libreoffice-writer-nogui»). Hãy tải bản Word (DOCX).")
    with tempfile.TemporaryDirectory(prefix="report-pdf-") as folder:
        work = Path(folder)
        source = work / "report.docx"
        source.write_bytes(docx)
        # a profile of its own: two conversions at once would otherwise wait on each other's profile lock
        command = [office, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise ReportError("Không tạo được PDF: LibreOffice chạy quá {seconds} giây", seconds=int(timeout_s)) from None
        target = work / "report.pdf"
        if done.returncode != 0 or not target.exists():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-300:]
            raise ReportError("Không tạo được PDF: LibreOffice báo lỗi ({detail})", detail=detail)
        return target.read_bytes()
