"""The names the offline form gives its questions and choices, shared by the form builder and the submissions import.

Names are stable keys (type codes, measure codes, unit and commune keys, village ids), never labels, so a submission
made with an older form version can be read with today's definitions wherever its answers still mean the same thing.
"""
from __future__ import annotations

import hashlib

from data_model.definitions.activity_types import ActivityType, Measure

# record field → question name (the form asks the unit first, then the type, date and place)
FIELD_QUESTIONS: dict[str, str] = {
    "reporting_unit_id": "reporting_unit",
    "type_code": "activity_type",
    "start_date": "start_date",
    "end_date": "end_date",
    "commune_key": "commune",
    "village_id": "village",
    "languages": "languages",
    "topic": "topic",
    "note": "note",
}
QUESTION_FIELDS = {q: f for f, q in FIELD_QUESTIONS.items()}
VERSION_QUESTION = "form_version"  # a calculate holding the form's version, so every export carries it
HELPER_QUESTIONS = ("start", "end", "day_n", "end_n", VERSION_QUESTION)  # metadata and calculations, not record fields
SIGNATURE_SUFFIX = "__sig"
VILLAGE_PREFIX = "v"


def measure_question(activity_type: ActivityType, measure: Measure) -> str:
    """The question of one measure of one type ("patrol__patrols"): unique in the form, as ${…} needs."""
    return f"{activity_type.code}__{measure.code}"


def group_name(activity_type: ActivityType) -> str:
    """The group holding one type's measures."""
    return f"g_{activity_type.code}"


def signature_question(activity_type: ActivityType) -> str:
    """The calculate inside a type's group holding what its measures meant when the form was made."""
    return f"{activity_type.code}{SIGNATURE_SUFFIX}"


def measure_meaning(activity_type: ActivityType, measure: Measure) -> str:
    """A short digest of what a measure's answer means: its type, code and unit (not its wording or range)."""
    text = "|".join((activity_type.code, measure.code, measure.unit_vi, measure.unit_en))
    return hashlib.sha256(text.encode()).hexdigest()[:6]


def type_signature(activity_type: ActivityType) -> str:
    """"sessions:1a2b3c attendances:4d5e6f": each measure with its meaning digest, as the form records it."""
    return " ".join(f"{m.code}:{measure_meaning(activity_type, m)}" for m in activity_type.measures)


def parse_signature(text: str) -> dict[str, str]:
    """Measure code → meaning digest from a recorded signature (empty for an empty or unreadable one)."""
    pairs = (part.split(":", 1) for part in str(text or "").split())
    return {p[0]: p[1] for p in pairs if len(p) == 2}


def village_choice(village_id: int) -> str:
    """The choice name of a village ("v123")."""
    return f"{VILLAGE_PREFIX}{village_id}"


def village_of_choice(name: str) -> int | None:
    """The village id a choice name stands for (None when it is not one)."""
    text = str(name or "").strip()
    digits = text[len(VILLAGE_PREFIX):] if text.startswith(VILLAGE_PREFIX) else ""
    return int(digits) if digits.isdigit() and len(digits) < 10 else None
