"""The limits every record keeps (years, text lengths), the label of a field, and the issues that report a broken
rule."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from data_model.definitions.activity_types import ActivityType
from data_model.definitions.fields import label_of
from data_model.texts.catalogue import SOURCE_LANGUAGE, Text, render
from data_model.texts.errors import UserError

ERROR, WARNING, DUPLICATE = "error", "warning", "duplicate"
MAX_TOPIC = 300
MAX_NOTE = 4000
MAX_REASON = 500  # a reason for deleting or restoring a record
# the one rule for years, used by the entry form, imports, the write API, reference data and the command line
YEAR_MIN, YEAR_MAX = 1990, 2100


@dataclass(frozen=True)
class Issue:
    """One problem with one field: an error blocks the write, a warning or duplicate needs confirming."""

    field: str
    message: str  # a Text (renders in any language) or a plain Vietnamese str
    severity: str = ERROR
    detail: str = ""  # the message without the field's label (when the label is shown elsewhere)

    def render(self, lang: str) -> str:
        """The message in lang."""
        return render(self.message, lang)

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class ValidationError(UserError):
    """A record was refused; `issues` lists each field's problem in Vietnamese."""

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("; ".join(i.message for i in self.issues))

    def __reduce__(self) -> tuple[type[ValidationError], tuple[list[Issue]]]:
        # rebuilt from its issues: a writer process's refusal reaches its parent instead of hanging its pool
        return (type(self), (self.issues,))

    def message(self, lang: str) -> str:
        return "; ".join(render(i.message, lang) for i in self.issues)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def duplicates(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == DUPLICATE]


class FieldLabel:
    """A field's label, rendered in the language of the message it is part of."""

    def __init__(self, field_name: str, activity_type: ActivityType | None = None) -> None:
        self.field_name, self.activity_type = field_name, activity_type

    def render(self, lang: str) -> str:
        return field_label(self.field_name, self.activity_type, lang)

    def __str__(self) -> str:
        return self.render(SOURCE_LANGUAGE)


def labelled(field_name: str, problem: str, activity_type: ActivityType | None = None) -> Text:
    """"Label: problem" in any language."""
    return Text("{field}: {problem}", field=FieldLabel(field_name, activity_type), problem=problem)


def field_label(field_name: str, activity_type: ActivityType | None = None, lang: str = "vi") -> str:
    """The label users see for a field (definitions/fields.py) or a measure code."""
    label = label_of(field_name, lang)
    if label is not None:
        return label
    if activity_type is not None:
        try:
            return activity_type.measure(field_name).label(lang)
        except KeyError:
            pass
    return field_name


def to_int(value: Any) -> int | None:
    """An integer from a form or API value; None when blank; ValueError when not a whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    raise ValueError(value)
