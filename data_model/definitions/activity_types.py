"""Activity-type definitions loaded from activity_types.toml: measures, places, rules."""
from __future__ import annotations

import operator
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from data_model.definitions.fields import MAX_MEASURES, measure_column, sum_column

DEFINITIONS_FILE = Path(__file__).with_name("activity_types.toml")

Requirement = Literal["required", "optional", "none"]
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt, "==": operator.eq}


def compose_measure_title(*, label: str, unit: str) -> str:
    """A measure's heading: the label, with the unit in brackets only when the label does not already say it."""
    said = re.search(rf"(?<!\w){re.escape(unit)}(?!\w)", label, flags=re.IGNORECASE)
    return label if said or not unit else f"{label} ({unit})"


@dataclass(frozen=True)
class Measure:
    """One numeric measure of an activity type, stored in the column of its slot (slot 2 → m2, summed in s2)."""

    code: str
    slot: int
    label_vi: str
    label_en: str
    unit_vi: str
    unit_en: str
    min: int
    max: int
    required: bool

    @property
    def column(self) -> str:
        return measure_column(self.slot)

    @property
    def sum_column(self) -> str:
        return sum_column(self.slot)

    def label(self, lang: str = "vi") -> str:
        return self.label_vi if lang == "vi" else self.label_en

    def unit(self, lang: str = "vi") -> str:
        return self.unit_vi if lang == "vi" else self.unit_en

    def title(self, lang: str = "vi") -> str:
        """The measure's heading: its label, with the unit in brackets only when the label does not already say it
        ("Số buổi", "Thời lượng (phút)")."""
        return compose_measure_title(label=self.label(lang), unit=self.unit(lang))

    def unit_for(self, n: int | float, lang: str = "vi") -> str:
        """The unit's word for the number n ("1 session", "2 sessions"): the catalogue's plural forms of unit_vi in
        the context "unit <unit_en>" (its English plural), else unit(lang)."""
        from data_model.texts.catalogue import translate_plural

        count = int(n) if float(n).is_integer() else 2  # a fraction (a rate) takes the plural
        text = translate_plural(self.unit_vi, count, lang=lang, ctx=f"unit {self.unit_en}")
        return text if lang == "vi" or text != self.unit_vi else self.unit(lang)


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: sum(left terms) <op> sum(right terms) * factor."""

    left: tuple[str, ...]
    op: str
    right: tuple[str, ...]
    factor: int
    message_vi: str
    message_en: str

    def holds(self, values: Mapping[str, int | None]) -> bool:
        """Whether the rule is satisfied; missing measures count as 0."""
        return _OPS[self.op](_sum_terms(self.left, values), _sum_terms(self.right, values) * self.factor)

    def message(self, lang: str = "vi") -> str:
        return self.message_vi if lang == "vi" else self.message_en

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(t for t in self.left + self.right if not t.isdigit())


@dataclass(frozen=True)
class Typical:
    """A typical range of one measure per unit of work (listeners per session): outside it, the clerk confirms."""

    measure: str
    per: str  # the measure counting the units of work
    low: float
    high: float
    source: str  # where the range comes from (the source report's figures, the demo data)

    def ratio(self, values: Mapping[str, int | None]) -> float | None:
        """The measure per unit of work, None when either is missing or there is no work."""
        value, per = values.get(self.measure), values.get(self.per)
        if value is None or not per:
            return None
        return value / per

    def holds(self, values: Mapping[str, int | None]) -> bool:
        """Whether the ratio lies in the range (or cannot be computed)."""
        ratio = self.ratio(values)
        return ratio is None or self.low <= ratio <= self.high


@dataclass(frozen=True)
class JointRule:
    """When two units' records of this type may be one joint activity: figures of the measure within the tolerance."""

    measure: str  # the figure compared (attendance, viewers, participants)
    tolerance: float  # the largest relative difference, |a - b| / max(a, b)
    min_score: float  # pairs scoring below are not offered


@dataclass(frozen=True)
class ActivityType:
    """Everything the product knows about one kind of activity."""

    code: str
    name_vi: str
    name_en: str
    color: str
    commune: Requirement
    village: Requirement
    languages: Requirement
    topic: bool
    period: bool
    reporting_kinds: tuple[str, ...]
    measures: tuple[Measure, ...]
    rules: tuple[Rule, ...] = field(default=())
    plausible_measure: str | None = None
    plausible_factor: float | None = None
    typical: tuple[Typical, ...] = field(default=())
    joint: JointRule | None = None  # None: records of this type are never joint activities

    def name(self, lang: str = "vi") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def measure(self, code: str) -> Measure:
        """The measure with this code (KeyError when the type has none)."""
        for m in self.measures:
            if m.code == code:
                return m
        raise KeyError(f"{self.code} has no measure {code!r}")

    @property
    def main_measure(self) -> Measure:
        return self.measures[0]


def _sum_terms(terms: tuple[str, ...], values: Mapping[str, int | None]) -> int:
    return sum(int(t) if t.isdigit() else int(values.get(t) or 0) for t in terms)


def _parse_terms(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(text).split("+"))


def _slot(type_code: str, raw: dict) -> int:
    """A measure's storage slot as the definition writes it: a whole number 1..MAX_MEASURES, never implied."""
    slot = raw.get("slot")
    if isinstance(slot, bool) or not isinstance(slot, int) or not 1 <= slot <= MAX_MEASURES:
        raise ValueError(f"{type_code}: measure {raw.get('code')!r} needs slot = 1..{MAX_MEASURES}, not {slot!r}")
    return slot


def _build_measures(type_code: str, raw: list[dict]) -> tuple[Measure, ...]:
    measures = tuple(
        Measure(
            code=m["code"], slot=_slot(type_code, m), label_vi=m["label_vi"], label_en=m["label_en"],
            unit_vi=m["unit_vi"], unit_en=m["unit_en"], min=int(m["min"]), max=int(m["max"]),
            required=bool(m["required"]),
        )
        for m in raw
    )
    if len(measures) > MAX_MEASURES:
        raise ValueError(f"{type_code}: at most {MAX_MEASURES} measures")
    slots = [m.slot for m in measures]
    if len(set(slots)) != len(slots):
        raise ValueError(f"{type_code}: two measures share a slot ({slots})")
    if len({m.code for m in measures}) != len(measures):
        raise ValueError(f"{type_code}: two measures share a code")
    if not measures or measures[0].slot != 1:
        raise ValueError(f"{type_code}: the first measure is the main one and keeps slot 1 (the village and language "
                         "summaries sum slot 1)")
    return measures


def _build_type(raw: dict) -> ActivityType:
    measures = _build_measures(raw["code"], raw["measure"])
    codes = {m.code for m in measures}
    rules = []
    for r in raw.get("rule", []):
        rule = Rule(
            left=_parse_terms(r["left"]), op=r["op"], right=_parse_terms(r["right"]),
            factor=int(r.get("factor", 1)), message_vi=r["message_vi"], message_en=r["message_en"],
        )
        unknown = [t for t in rule.fields if t not in codes]
        if unknown or rule.op not in _OPS:
            raise ValueError(f"{raw['code']}: bad rule {r}")
        rules.append(rule)
    plausible = raw.get("plausible", {})
    typical = tuple(Typical(measure=r["measure"], per=r["per"], low=float(r["low"]), high=float(r["high"]),
                            source=r.get("source", "")) for r in raw.get("typical", []))
    if any(x.measure not in codes or x.per not in codes or not 0 <= x.low <= x.high for x in typical):
        raise ValueError(f"{raw['code']}: bad typical range {raw.get('typical')}")
    joint = _build_joint(raw, codes)
    return ActivityType(
        code=raw["code"], name_vi=raw["name_vi"], name_en=raw["name_en"], color=raw["color"],
        commune=raw["commune"], village=raw["village"], languages=raw["languages"],
        topic=bool(raw["topic"]), period=bool(raw["period"]),
        reporting_kinds=tuple(raw["reporting_kinds"]), measures=measures, rules=tuple(rules),
        plausible_measure=plausible.get("measure"), plausible_factor=plausible.get("population_factor"),
        typical=typical, joint=joint,
    )


def _build_joint(raw: dict, codes: set[str]) -> JointRule | None:
    spec = raw.get("joint")
    if spec is None:
        return None
    rule = JointRule(measure=spec["measure"], tolerance=float(spec["tolerance"]), min_score=float(spec["min_score"]))
    if rule.measure not in codes or not 0 <= rule.tolerance < 1 or not 0 <= rule.min_score <= 1:
        raise ValueError(f"{raw['code']}: bad joint rule {spec}")
    return rule


@cache
def load_activity_types(path: Path = DEFINITIONS_FILE) -> dict[str, ActivityType]:
    """All activity types by code, in definition order."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    types = [_build_type(t) for t in raw["type"]]
    return {t.code: t for t in types}


def get_activity_type(code: str) -> ActivityType:
    """One activity type by code (KeyError for an unknown code)."""
    return load_activity_types()[code]


def list_activity_types() -> list[ActivityType]:
    """All activity types in definition order."""
    return list(load_activity_types().values())
