"""The report's administrative-document frame: number, issuers, date, title, signers and recipients."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from data_model.report.document import Signing
from data_model.report.issuer import Issuers
from data_model.texts.formatting import format_date

BLANK_NUMBER = "\u2002" * 6  # room for the clerk to write the number by hand


def place_date(day: dt.date, *, place: str, tpl: Mapping[str, Any], lang: str) -> str:
    """"Lai Châu, ngày 07 tháng 3 năm 2026": the decree writes a 0 before days under 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return tpl["document"]["place_date"].format(place=place, day=f"{day.day:02d}", month=month, year=day.year,
                                                date=format_date(day, lang))


def department_words(issuers: Issuers, *, tpl: Mapping[str, Any], lang: str) -> str:
    """The department as section I names it; a department replaced during the period is named once, in brackets."""
    if issuers.replaced is None or issuers.changed_on is None:
        return issuers.department.text_name
    return tpl["document"]["renamed"].format(new=issuers.department.text_name, old=issuers.replaced.text_name,
                                             day=format_date(issuers.changed_on, lang))


def build_signing(issuers: Issuers, *, summary: str, tpl: Mapping[str, Any]) -> Signing:
    """The frame of one report from its issuers and the document settings."""
    d = tpl["document"]
    settings = issuers.settings
    number = d["number"].format(number=settings.number or BLANK_NUMBER, symbol=issuers.symbol)
    signers = [(i.signer_authority, i.signer_title, i.signer_name) for i in reversed(issuers.issuers)]
    recipients = [f"- {r};" for r in settings.recipients]
    if recipients:
        recipients[-1] = recipients[-1][:-1] + "."
    return Signing(issuers=[(i.superior, i.name) for i in issuers.issuers], number=number, doc_type=d["doc_type"],
                   summary=summary, signers=signers, recipients_label=d["recipients"],
                   recipients=recipients)
