"""Fills the wording templates (templates/report.<lang>.toml) with a report's figures."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from data_model.analytics.units import NONE_CODE
from data_model.definitions.activity_types import ActivityType, Measure, get_activity_type, load_activity_types
from data_model.reference.languages import language_name
from data_model.report.content import PlaceFigures, ReportContent, TypeFigures
from data_model.report.document import Chart, ReportDocument, Section, Table
from data_model.report.frame import build_signing, department_words, place_date
from data_model.report.issuer import FALLBACK, DocumentSettings, Issuers
from data_model.report.templating import (
    fill,
    join_list,
    load_templates,
    lower_first,
    period_label,
    scope_label,
    template_fields,
)
from data_model.texts.formatting import format_date, format_number, format_share

RANK_SIZE = 3
MAX_LISTED_VILLAGES = 25
MAX_YEAR_COLUMNS = 12


def change_text(*, definition: ActivityType, figures: TypeFigures, content: ReportContent, lang: str) -> str:
    """"số buổi tăng 12,5% so với năm 2019" for the type's main measure."""
    tpl = load_templates(lang)
    if content.previous_empty:  # said once in the opening; a sentence per type would repeat it
        return ""
    main = definition.main_measure
    current = figures.values.get(main.code, 0)
    before = figures.previous.get(main.code, 0)
    previous = period_label(content.previous, tpl)
    measure = lower_first(main.label(lang))
    if before == 0:
        return fill(tpl["change"]["no_previous"], lang, previous=previous, measure=measure)
    ratio = (current - before) / before
    if current == before:
        return fill(tpl["change"]["same"], lang, previous=previous, measure=measure)
    percent = format_number(abs(ratio) * 100, lang, decimals=1) + "%"
    key = "increase" if ratio > 0 else "decrease"
    return fill(tpl["change"][key], lang, previous=previous, measure=measure, percent=percent)


def _language_list(figures: TypeFigures, measure: Measure, tpl: Mapping[str, Any], lang: str, *,
                   with_values: bool) -> str:
    items = []
    for code, value in figures.languages:
        name = language_name(code, lang)
        name = lower_first(name) if lang == "vi" else name
        if with_values:
            name = fill(tpl["languages"]["item"], lang, language=name, value=value, unit=measure.unit_for(value, lang))
        items.append(name)
    return join_list(items, tpl["lists"])


def type_sentence(*, figures: TypeFigures, content: ReportContent, lang: str) -> str:
    """The sentence of one activity type, from its template (or the generic one)."""
    tpl = load_templates(lang)
    definition = get_activity_type(figures.code)
    values: dict[str, Any] = {m.code: figures.values.get(m.code, 0) for m in definition.measures}
    values.update(
        type_name=definition.name(lang), n_records=figures.n_records, n_units=figures.n_units,
        n_communes=len(figures.communes), commune_list=join_list(figures.communes, tpl["lists"]),
        n_languages=len(figures.languages),
        language_list=_language_list(figures, definition.main_measure, tpl, lang, with_values=False),
        change=change_text(definition=definition, figures=figures, content=content, lang=lang),
    )
    template = tpl["sentence"].get(figures.code)
    if template is None:
        parts = [fill(tpl["fallback"]["figure"], lang, value=values[m.code], unit=m.unit_for(values[m.code], lang))
                 for m in definition.measures if values[m.code]]
        template = tpl["fallback"]["sentence"] if values["change"] else _without_change(tpl["fallback"]["sentence"])
        return _with_plan(fill(template, lang, **{**values, "figures": ", ".join(parts)}), figures=figures,
                          content=content, lang=lang)
    pieces = [template] if isinstance(template, str) else list(template)
    # a part is left out when a figure it names is 0 ("trong đó có 0 lần …" reads wrong)
    counts = {m.code: values[m.code] for m in definition.measures}
    counts.update(n_units=figures.n_units, n_communes=len(figures.communes), commune_list=len(figures.communes),
                  n_languages=len(figures.languages), language_list=len(figures.languages))
    kept = [p for p in pieces if all(counts.get(f, 1) != 0 for f in template_fields(p))] or pieces
    if not values["change"]:
        kept = [_without_change(p) for p in kept]
    return _with_plan("".join(fill(p, lang, **values) for p in kept), figures=figures, content=content, lang=lang)


def _without_change(template: str) -> str:
    """A template part without its {change}: " ({change})" and "; {change}" go with their brackets and separator."""
    template = re.sub(r"\s*\(\{change\}\)", "", template)
    template = re.sub(r"\s*[;,]\s*\{change\}", "", template)
    return template.replace("{change}", "")


def plan_sentence(*, figures: TypeFigures, content: ReportContent, lang: str) -> str:
    """"Số buổi đạt 112,8% và lượt người nghe đạt 108,3% kế hoạch năm." ("" without a target)."""
    templates = load_templates(lang)
    tpl = templates["plan"]
    definition = get_activity_type(figures.code)
    items = [fill(tpl["item"], lang, measure=lower_first(m.label(lang)),
                  percent=format_share(figures.values.get(m.code, 0) / content.plans[(figures.code, m.code)], lang))
             for m in definition.measures if content.plans.get((figures.code, m.code))]
    if not items:
        return ""
    key = "year" if content.period.years == 1 else "range"
    text = fill(tpl[key], lang, items=join_list(items, templates["lists"]),
                period=period_label(content.period, templates))
    return text[:1].upper() + text[1:]


def _with_plan(sentence: str, *, figures: TypeFigures, content: ReportContent, lang: str) -> str:
    plan = plan_sentence(figures=figures, content=content, lang=lang) if content.plans else ""
    return f"{sentence} {plan}" if plan else sentence


def _area_sections(content: ReportContent, tpl: Mapping[str, Any], lang: str) -> list[Section]:
    present = {t.code: t for t in content.types}
    listed: set[str] = set()
    sections = []
    for area in tpl.get("area", []):
        codes = [c for c in area["types"] if c in present]
        listed.update(area["types"])
        if codes:
            text = " ".join(type_sentence(figures=present[c], content=content, lang=lang) for c in codes)
            sections.append(Section(heading=area["title"], paragraphs=[text]))
    others = [c for c in present if c not in listed]
    if others:
        text = " ".join(type_sentence(figures=present[c], content=content, lang=lang) for c in others)
        sections.append(Section(heading=tpl["other_area"]["title"], paragraphs=[text]))
    return sections


def _rank_line(places: list[PlaceFigures], definition: ActivityType, tpl: Mapping[str, Any], lang: str) -> str | None:
    main = definition.main_measure
    scored = [(p.values.get((definition.code, main.code), 0), p.name) for p in places]
    scored = sorted([s for s in scored if s[0] > 0], key=lambda s: (-s[0], s[1]))
    if not scored:
        return None

    def items(chosen: list[tuple[int, str]]) -> str:
        return join_list([fill(tpl["ranking"]["item"], lang, name=n, value=v, unit=main.unit_for(v, lang))
                          for v, n in chosen], tpl["lists"])

    if len(scored) == 1:
        return fill(tpl["ranking"]["line_single"], lang, type_name=definition.name(lang), top=items(scored))
    size = min(RANK_SIZE, len(scored) // 2)
    return fill(tpl["ranking"]["line"], lang, type_name=definition.name(lang), top=items(scored[:size]),
                bottom=items(list(reversed(scored[-size:]))))


def in_todays_communes(content: ReportContent) -> bool:
    """Whether the report's communes are today's (a period reaching 1 July 2025), not those as recorded."""
    # a report on one commune rolls its former communes up to it on its own terms (the footer's boundary_note)
    return content.scope.filters.boundaries == "current" and content.scope.scope.kind != "commune"


def boundaries_label(content: ReportContent, tpl: Mapping[str, Any], *, long: bool = False) -> str:
    """The report's boundary view in words."""
    d = tpl["document"]
    if in_todays_communes(content):
        return d["boundaries_current_long" if long else "boundaries_current"]
    return d["boundaries_historical"]


def _ranking_section(content: ReportContent, tpl: Mapping[str, Any], lang: str) -> Section:
    section = Section(heading=tpl["headings"]["ranking"])
    communes = [c for c in content.communes if c.key != NONE_CODE]
    stations = [s for s in content.stations if s.group == "station"]
    communes_intro = fill(tpl["ranking"]["communes_intro"], lang, boundaries=boundaries_label(content, tpl))
    for intro, places in ((communes_intro, communes), (tpl["ranking"]["stations_intro"], stations)):
        if len(places) < 2:
            continue
        lines = [_rank_line(places, get_activity_type(t.code), tpl, lang) for t in content.types]
        lines = [line for line in lines if line]
        if lines:
            section.paragraphs.append(intro)
            section.paragraphs.extend(f"– {line}" for line in lines)
    if not section.paragraphs:
        section.paragraphs.append(tpl["ranking"]["none"])
    return section


def _gaps_section(content: ReportContent, tpl: Mapping[str, Any], lang: str) -> Section:
    g = tpl["gaps"]
    period = period_label(content.period, tpl)
    section = Section(heading=tpl["headings"]["gaps"])
    if content.n_villages == 0:
        section.paragraphs.append(g["no_villages"])
        return section
    if not content.villages_without:
        section.paragraphs.append(fill(g["none"], lang, period=period, n_villages=content.n_villages))
        return section
    names = [fill(g["village"], lang, village=v.village, commune=v.commune)
             for v in content.villages_without[:MAX_LISTED_VILLAGES]]
    if len(content.villages_without) > MAX_LISTED_VILLAGES:
        names.append(fill(g["more"], lang, n=len(content.villages_without) - MAX_LISTED_VILLAGES))
    section.paragraphs.append(fill(g["text"], lang, period=period, n_without=len(content.villages_without),
                                   n_villages=content.n_villages, village_list=join_list(names, tpl["lists"])))
    if any(v.is_demo for v in content.villages_without):
        section.paragraphs.append(g["demo_villages"])
    return section


def _languages_section(content: ReportContent, tpl: Mapping[str, Any], lang: str) -> Section:
    section = Section(heading=tpl["headings"]["languages"])
    for figures in content.types:
        if not figures.languages:
            continue
        definition = get_activity_type(figures.code)
        section.paragraphs.append(fill(
            tpl["languages"]["line"], lang, type_name=definition.name(lang), n_languages=len(figures.languages),
            language_list=_language_list(figures, definition.main_measure, tpl, lang, with_values=True)))
    if not section.paragraphs:
        section.paragraphs.append(tpl["languages"]["none"])
    return section


def _main_header(definition: ActivityType, lang: str) -> str:
    return f"{definition.name(lang)} ({definition.main_measure.unit(lang)})"


def _place_table(places: list[PlaceFigures], content: ReportContent, tpl: Mapping[str, Any], lang: str, *,
                 title: str, sheet: str, name_col: str, group_col: str | None, none_label: str) -> Table:
    tt = tpl["tables"]
    types = [get_activity_type(t.code) for t in content.types
             if any(p.values.get((t.code, get_activity_type(t.code).main_measure.code), 0) for p in places)]
    columns = [name_col] + ([group_col] if group_col else []) + [_main_header(d, lang) for d in types]
    rows = []
    for p in sorted(places, key=lambda p: (p.key == NONE_CODE, p.group if group_col else "", p.name)):
        name = p.name if p.key != NONE_CODE else none_label
        rows.append([name] + ([p.group] if group_col else [])
                    + [p.values.get((d.code, d.main_measure.code), 0) for d in types])
    total = [tt["col_total"]] + ([""] if group_col else []) + [
        sum(p.values.get((d.code, d.main_measure.code), 0) for p in places) for d in types]
    formats = ["text"] + (["text"] if group_col else []) + ["int"] * len(types)
    return Table(title=title, sheet=sheet, columns=columns, formats=formats, rows=rows + [total], total_row=True)


def _detail_table(places: list[PlaceFigures], tpl: Mapping[str, Any], lang: str, *, title: str, sheet: str,
                  name_col: str, group_col: str, value_col: str, none_label: str) -> Table:
    tt = tpl["tables"]
    types = load_activity_types()
    rows = []
    for p in places:
        for (code, measure), value in p.values.items():
            definition = types[code]
            m = definition.measure(measure)
            group = tpl["kinds"].get(p.group, p.group) if p.group in tpl["kinds"] else p.group
            rows.append([p.name if p.key != NONE_CODE else none_label, group, definition.name(lang), m.label(lang),
                         m.unit(lang), value])
    columns = [name_col, group_col, tt["col_type"], tt["col_measure"], tt["col_unit"], value_col]
    return Table(title=title, sheet=sheet, columns=columns, formats=["text"] * 5 + ["int"], rows=rows,
                 in_document=False)


def _tables(content: ReportContent, tpl: Mapping[str, Any], lang: str) -> list[Table]:
    tt = tpl["tables"]
    current_title = period_label(content.period, tpl, title=True)
    previous_title = period_label(content.previous, tpl, title=True)
    compare = not content.previous_empty  # a column of zeros and one of dashes say nothing
    plans = bool(content.plans)
    totals_rows = []
    for figures in content.types:
        definition = get_activity_type(figures.code)
        for m in definition.measures:
            cur, before = figures.values.get(m.code, 0), figures.previous.get(m.code, 0)
            ratio = (cur - before) / before if before else None
            target = content.plans.get((figures.code, m.code))
            totals_rows.append([definition.name(lang), m.label(lang), m.unit(lang), cur]
                               + ([before, ratio] if compare else [])
                               + ([target, cur / target if target else None] if plans else []))
    plan_title = tt["col_plan_year" if content.period.years == 1 else "col_plan_range"]
    tables = [Table(
        title=tt["totals"], sheet=tt["sheet_totals"],
        columns=[tt["col_type"], tt["col_measure"], tt["col_unit"],
                 tt["col_current"].format(period_title=current_title)]
        + ([tt["col_previous"].format(previous_title=previous_title), tt["col_change"]] if compare else [])
        + ([plan_title, tt["col_plan_share"]] if plans else []),
        formats=(["text", "text", "text", "int"] + (["int", "pct"] if compare else [])
                 + (["int", "share"] if plans else [])),
        rows=totals_rows)]
    years = list(range(content.period.year_from, content.period.year_to + 1))
    if len(years) > 1:
        rows = []
        for figures in content.types:
            definition = get_activity_type(figures.code)
            main = definition.main_measure.code
            values = [figures.by_year.get(y, {}).get(main, 0) for y in years]
            rows.append([definition.name(lang), definition.main_measure.unit(lang), *values, sum(values)])
        tables.append(Table(title=tt["by_year"], sheet=tt["sheet_by_year"],
                            columns=[tt["col_type"], tt["col_unit"], *[str(y) for y in years], tt["col_total"]],
                            formats=["text", "text"] + ["int"] * (len(years) + 1), rows=rows,
                            in_document=len(years) <= MAX_YEAR_COLUMNS))  # wider only fits a spreadsheet
    if content.communes:
        # today's communes belong to no district (the level ended on 1 July 2025)
        tables.append(_place_table(content.communes, content, tpl, lang,
                                   title=fill(tt["by_commune"], lang, boundaries=boundaries_label(content, tpl)),
                                   sheet=tt["sheet_by_commune"], name_col=tt["col_commune"],
                                   group_col=None if in_todays_communes(content) else tt["col_district"],
                                   none_label=tt["no_commune"]))
    if content.stations:
        tables.append(_place_table(content.stations, content, tpl, lang, title=tt["by_station"],
                                   sheet=tt["sheet_by_station"], name_col=tt["col_station"], group_col=None,
                                   none_label=tt["no_station"]))
    if content.villages_without:
        rows = [[v.commune, v.village + (tt["demo_mark"] if v.is_demo else "")] for v in content.villages_without]
        by_commune: dict[str, list[str]] = {}
        for commune, village in rows:
            by_commune.setdefault(commune, []).append(village)
        # in print one line per commune (a list of hundreds of rows fills pages); the workbook keeps one per village
        tables.append(Table(
            title=tt["villages"], sheet=tt["sheet_villages"], columns=[tt["col_commune"], tt["col_n_villages"],
                                                                        tt["col_village"]],
            formats=["text", "int", "text"], rows=[[c, len(v), ", ".join(v)] for c, v in by_commune.items()],
            in_xlsx=False))
        tables.append(Table(title=tt["villages"], sheet=tt["sheet_villages"],
                            columns=[tt["col_commune"], tt["col_village"]], formats=["text", "text"], rows=rows,
                            in_document=False))
    if content.languages:
        rows = []
        for code, language, n, value in content.languages:
            definition = get_activity_type(code)
            rows.append([definition.name(lang), language_name(language, lang), n, value,
                         definition.main_measure.unit(lang)])
        tables.append(Table(title=tt["languages"], sheet=tt["sheet_languages"],
                            columns=[tt["col_type"], tt["col_language"], tt["col_records"],
                                     tt["col_current"].format(period_title=current_title), tt["col_unit"]],
                            formats=["text", "text", "int", "int", "text"], rows=rows))
    value_col = tt["col_current"].format(period_title=current_title)
    details = ((content.communes, "commune", tt["col_commune"], tt["col_district"], tt["no_commune"]),
               (content.stations, "station", tt["col_station"], "", tt["no_station"]))
    for places, key, name_col, group_col, none_label in details:
        if places:
            tables.append(_detail_table(places, tpl, lang, title=tt[f"detail_{key}"], sheet=tt[f"sheet_detail_{key}"],
                                        name_col=name_col, group_col=group_col, value_col=value_col,
                                        none_label=none_label))
    return tables


def write_report(content: ReportContent, lang: str = "vi", *, charts: list[Chart] | None = None,
                 issuers: Issuers | None = None) -> ReportDocument:
    """The report in words and tables, from its figures, framed as a document of its issuers."""
    tpl = load_templates(lang)
    d = tpl["document"]
    period = period_label(content.period, tpl)
    scope = scope_label(content, tpl)
    today = content.generated_on
    issuers = issuers or Issuers(department=FALLBACK, replaced=None, changed_on=None, border_guard=None,
                                 settings=DocumentSettings(), issuers=[FALLBACK])
    header = {
        "agency_top": issuers.department.superior, "agency": issuers.department.name, "nation": d["nation"],
        "motto": d["motto"], "place_date": place_date(today, place=issuers.settings.place, tpl=tpl, lang=lang),
    }
    notices = [d["demo_notice"]] if content.is_demo else []
    boundary_note = d["boundary_current"] if content.scope.merged_names else ""
    footer = fill(d["generated"], lang, date=format_date(today, lang), boundary_note=boundary_note,
                  boundaries=boundaries_label(content, tpl, long=True))
    subtitle = d["subtitle"].format(period_title=period_label(content.period, tpl, title=True), scope=scope)
    doc = ReportDocument(lang=lang, title=d["title"], subtitle=subtitle, header=header, notices=notices, sections=[],
                         footer=footer, file_stem=d["file_stem"], charts_note=d["charts_in_docx"],
                         signing=build_signing(issuers, summary=d["summary"].format(period=period, scope=scope),
                                               tpl=tpl))
    overview = Section(heading=tpl["headings"]["overview"])
    doc.sections.append(overview)
    if content.empty:
        overview.paragraphs.append(fill(tpl["opening"]["empty"], lang, period=period, scope=scope))
        return doc
    overview.paragraphs.append(fill(
        tpl["opening"]["text"], lang, period=period, scope=scope, n_records=content.n_records,
        n_types=len(content.types), n_communes=len([c for c in content.communes if c.key != NONE_CODE]),
        n_villages_reached=content.n_villages_reached, department=department_words(issuers, tpl=tpl, lang=lang)))
    if content.n_joint:
        overview.paragraphs[-1] += " " + fill(tpl["opening"]["joint"], lang, n_joint=content.n_joint)
    if content.previous_empty:
        overview.paragraphs[-1] += " " + fill(tpl["opening"]["no_previous"], lang,
                                              previous=period_label(content.previous, tpl),
                                              previous_title=period_label(content.previous, tpl, title=True))
    doc.sections.append(Section(heading=tpl["headings"]["areas"], subsections=_area_sections(content, tpl, lang)))
    doc.sections.append(_ranking_section(content, tpl, lang))
    doc.sections.append(_gaps_section(content, tpl, lang))
    doc.sections.append(_languages_section(content, tpl, lang))
    tables = _tables(content, tpl, lang)
    for n, table in enumerate([t for t in tables if t.in_document], start=1):
        table.title = tpl["tables"]["prefix"].format(n=n) + table.title
    doc.sections.append(Section(heading=tpl["headings"]["tables"], tables=tables))
    if charts:
        numbered = [Chart(title=tpl["charts"]["prefix"].format(n=n) + c.title, png=c.png, note=c.note)
                    for n, c in enumerate(charts, start=1)]
        doc.sections.append(Section(heading=tpl["headings"]["charts"], charts=numbered))
    return doc
