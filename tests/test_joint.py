"""Joint activities: a pair recorded by two units is found, merged (counted once, credited to both), undone;
dismissed pairs stay dismissed; only officials and admins review, only admins undo."""
from __future__ import annotations

import datetime as dt

import pytest
from entry_helpers import MU_CA, outreach, summary_mismatches, unit_id, village_id
from sqlalchemy import select

from data_model.analytics.aggregate import grouped_summary
from data_model.analytics.filters import Filters
from data_model.basics.issues import ValidationError
from data_model.basics.permissions import SYSTEM, Actor, PermissionDenied
from data_model.joint.candidates import find_candidates, find_matches
from data_model.joint.review import dismiss_pair, merge_pair, undo_dismissal, undo_merge
from data_model.records.write import create_record, restore_record
from data_model.report import Period, Scope, make_report
from data_model.schema.db import read_session, write_session
from data_model.schema.models import ActivityRecord, ChangeLog

TODAY = dt.date(2025, 12, 31)
OFFICIAL = Actor(user_id=None, username="lanhdao", role="official")
STAFF = Actor(user_id=None, username="nhanvien", role="staff")


def _pair(engine, **second) -> tuple[int, int]:
    """The same session in bản Xi Nế recorded by the Ka Lăng station (120) and the battalion (118)."""
    with write_session(engine) as s:
        village = village_id(s, "Xi Nế")
        a = create_record(session=s, actor=SYSTEM, confirm_warnings=True, today=TODAY,
                          values=outreach(unit_id(s), commune_key=MU_CA, village_id=village, attendances=120))
        b = create_record(session=s, actor=SYSTEM, confirm_warnings=True, today=TODAY, confirm_duplicate=True,
                          values=outreach(unit_id(s, "bn_huan_luyen_co_dong"), commune_key=MU_CA, village_id=village,
                                          **({"attendances": 118} | second)))
    return a, b


def _province(engine) -> tuple[int, int]:
    with read_session(engine) as s:
        frame = grouped_summary(session=s, filters=Filters(year_from=2024, year_to=2024), by=())
    row = frame[frame["type_code"] == "outreach_session"]
    return int(row["records"].sum()), int(row["s2"].sum())


def test_a_pair_recorded_by_two_units_is_found_with_its_reasons(engine):
    a, b = _pair(engine)
    with read_session(engine) as s:
        found = find_candidates(session=s)
    assert [(c.first_id, c.second_id) for c in found] == [(a, b)]
    assert found[0].reasons == "cùng ngày, cùng bản Xi Nế, lượt người nghe 120 / 118"
    assert found[0].first_unit == "Ka Lăng" and found[0].second_unit


def test_figures_far_apart_or_another_place_are_no_candidate(engine):
    _pair(engine, attendances=60)
    with read_session(engine) as s:
        assert find_candidates(session=s) == []


def test_merge_counts_once_keeps_the_larger_attendance_and_undo_brings_both_back(engine):
    a, b = _pair(engine)
    assert _province(engine) == (2, 238)
    with write_session(engine) as s:
        link = merge_pair(session=s, actor=OFFICIAL, keep_id=b, merge_id=a)
    assert _province(engine) == (1, 120)  # once, the larger attendance, never the sum
    with read_session(engine) as s:
        assert summary_mismatches(s) == []
        assert find_candidates(session=s) == []
        kept = s.get(ActivityRecord, b)
        assert kept.m2 == 120 and kept.deleted_at is None
        assert s.scalar(select(ChangeLog.action).where(ChangeLog.entity == "joint")) == "merge"
    with write_session(engine) as s, pytest.raises(ValidationError, match="bỏ gộp"):
        restore_record(session=s, actor=SYSTEM, record_id=a)
    with write_session(engine) as s, pytest.raises(PermissionDenied):
        undo_merge(session=s, actor=OFFICIAL, link_id=link, reason="nhầm")
    with write_session(engine) as s, pytest.raises(ValidationError, match="Lý do"):
        undo_merge(session=s, actor=SYSTEM, link_id=link, reason="")
    with write_session(engine) as s:
        undo_merge(session=s, actor=SYSTEM, link_id=link, reason="hai buổi khác nhau")
    assert _province(engine) == (2, 238)
    with read_session(engine) as s:
        assert summary_mismatches(s) == []
        assert s.get(ActivityRecord, b).m2 == 118
        assert len(find_candidates(session=s)) == 1


def test_the_official_picks_figures_of_either_record_never_a_sum(engine):
    a, b = _pair(engine)
    with write_session(engine) as s, pytest.raises(ValidationError, match="không cộng dồn"):
        merge_pair(session=s, actor=OFFICIAL, keep_id=a, merge_id=b, figures={"attendances": 238})
    with write_session(engine) as s:
        merge_pair(session=s, actor=OFFICIAL, keep_id=a, merge_id=b, figures={"attendances": 118})
    assert _province(engine) == (1, 118)


def test_staff_may_not_merge_or_dismiss(engine):
    a, b = _pair(engine)
    with write_session(engine) as s, pytest.raises(PermissionDenied):
        merge_pair(session=s, actor=STAFF, keep_id=a, merge_id=b)
    with write_session(engine) as s, pytest.raises(PermissionDenied):
        dismiss_pair(session=s, actor=STAFF, first_id=a, second_id=b)
    assert _province(engine) == (2, 238)


def test_dismissed_pairs_stay_dismissed_until_an_admin_undoes_it(engine):
    a, b = _pair(engine)
    with write_session(engine) as s:
        dismissal = dismiss_pair(session=s, actor=OFFICIAL, first_id=b, second_id=a, reason="hai buổi khác nhau")
    with read_session(engine) as s:
        assert find_candidates(session=s) == []
        assert find_candidates(session=s, year=2024) == []
    with write_session(engine) as s, pytest.raises(ValidationError, match="khác nhau"):
        dismiss_pair(session=s, actor=OFFICIAL, first_id=a, second_id=b)
    assert _province(engine) == (2, 238)  # a dismissal changes no figure
    with write_session(engine) as s:
        undo_dismissal(session=s, actor=SYSTEM, dismissal_id=dismissal, reason="thực ra là một")
    with read_session(engine) as s:
        assert len(find_candidates(session=s)) == 1
    with write_session(engine) as s:
        assert dismiss_pair(session=s, actor=OFFICIAL, first_id=a, second_id=b) == dismissal
    with read_session(engine) as s:
        assert find_candidates(session=s) == []


def test_an_entry_not_yet_saved_is_matched_against_other_units_records(engine):
    a, _ = _pair(engine)
    with read_session(engine) as s:
        values = outreach(unit_id(s, "st_mu_ca"), commune_key=MU_CA, attendances=115, year=2024, m2=115)
        matches = find_matches(session=s, columns=values | {"village_id": None})
    assert a in {m.second_id for m in matches}


def test_the_command_line_lists_merges_and_undoes(engine, db_url, monkeypatch, capsys):
    import json

    from data_model.cli.main import main

    a, b = _pair(engine)
    monkeypatch.setenv("DATABASE_URL", db_url)
    capsys.readouterr()
    assert main(["joint", "list", "--format", "json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert (listed["first"], listed["second"]) == (a, b)
    assert main(["joint", "merge", str(a), str(b), "--figure", "attendances=118"]) == 0
    assert _province(engine) == (1, 118)
    assert main(["joint", "merge", str(a), str(b)]) == 2  # already merged: a clear refusal, no traceback
    assert "đã bị xóa hoặc đã được gộp" in capsys.readouterr().err
    assert main(["joint", "undo-merge", "1", "--reason", "nhầm"]) == 0
    assert _province(engine) == (2, 238)


def test_a_merged_activity_is_counted_once_in_the_province_and_once_per_organising_station(engine, db_url,
                                                                                        monkeypatch, capsys):
    from sqlalchemy import text

    from data_model.analytics.places import station_view
    from data_model.cli.main import main
    from data_model.joint.credits import check_joint, count_joint_activities

    a, b = _pair(engine)
    with write_session(engine) as s:  # the second record moved to the Mù Cả station, as a clerk would edit it
        from data_model.records.write import update_record

        update_record(session=s, actor=SYSTEM, record_id=b, confirm_warnings=True, confirm_duplicate=True,
                      today=TODAY, values=outreach(unit_id(s, "st_mu_ca"), commune_key=MU_CA,
                                                   village_id=village_id(s, "Xi Nế"), attendances=118))
    with write_session(engine) as s:
        merge_pair(session=s, actor=OFFICIAL, keep_id=a, merge_id=b)
    assert _province(engine) == (1, 120)
    with read_session(engine) as s:
        content, doc = make_report(session=s, scope=Scope(), period=Period(2024, 2024), today=TODAY)
        assert content.n_records == 1 and content.n_joint == 1
        opening = doc.sections[0].paragraphs[0]
        assert "đã ghi nhận 1 hoạt động" in opening
        assert "Trong đó có 1 buổi phối hợp giữa Sở và các đồn, mỗi buổi chỉ tính một lần." in opening
        view = station_view(session=s, filters=Filters(year_from=2024, year_to=2024), type_code="outreach_session",
                            measure="attendances")
        ranking = {r.name: (r.value, r.records, r.joint) for r in view.ranking.itertuples()}
        assert ranking == {"Ka Lăng": (120, 1, 1), "Mù Cả": (120, 1, 1)}  # credited to each, "trong đó phối hợp"
        assert count_joint_activities(session=s, year_from=2024, year_to=2024) == 1
        assert check_joint(session=s) == []
    monkeypatch.setenv("DATABASE_URL", db_url)
    capsys.readouterr()
    assert main(["check"]) == 0
    with engine.begin() as conn:  # the merged record counted again behind the product's back
        conn.execute(text("UPDATE activity_record SET deleted_at = NULL WHERE id = :id"), {"id": b})
    assert main(["check"]) == 1
    assert f"Hoạt động số {b} đã gộp vào số {a} (phối hợp) nhưng vẫn được tính" in capsys.readouterr().out


def test_saving_a_record_another_unit_already_recorded_says_so(engine):
    from data_model.joint.notes import create_record_with_note

    with write_session(engine) as s:
        village = village_id(s, "Xi Nế")
        first = create_record(session=s, actor=SYSTEM, confirm_warnings=True, today=TODAY,
                              values=outreach(unit_id(s), commune_key=MU_CA, village_id=village, attendances=120))
        alone = create_record_with_note(session=s, actor=SYSTEM, confirm_warnings=True,
                                        values=outreach(unit_id(s), commune_key=MU_CA, attendances=40,
                                                        start_date=dt.date(2024, 4, 2), end_date=None))
        saved = create_record_with_note(session=s, actor=SYSTEM, confirm_warnings=True, confirm_duplicate=True,
                                        values=outreach(unit_id(s, "st_mu_ca"), commune_key=MU_CA, village_id=village,
                                                        attendances=118))
    assert alone.note == ""
    assert saved.note.startswith(f"Có thể trùng với hoạt động do Đồn Biên phòng Ka Lăng ghi (số {first}): cùng ngày, "
                                 "cùng bản Xi Nế, lượt người nghe 118 / 120.")


def test_the_import_preview_notes_rows_another_unit_already_recorded(engine):
    from data_model.files.records_import.preview import preview_import
    from data_model.texts.catalogue import render

    a, _ = _pair(engine)
    data = ("Loại hoạt động,Ngày bắt đầu,Đơn vị thực hiện,Xã,Bản,Số buổi,Lượt người nghe\n"
            "outreach_session,05/03/2024,st_mu_ca,Mù Cả,Xi Nế,2,121\n"
            "outreach_session,06/03/2024,st_mu_ca,Mù Cả,Xi Nế,2,121\n").encode("utf-8-sig")
    with read_session(engine) as s:
        preview = preview_import(session=s, actor=SYSTEM, data=data, filename="tep.csv", today=TODAY)
    assert preview.ok
    notes = [render(n, "vi") for n in preview.notes if "trùng" in render(n, "vi")]
    assert len(notes) == 1  # the second row is another day
    assert notes[0].startswith("Dòng 2: Có thể trùng với hoạt động do Đồn Biên phòng Ka Lăng ghi (số "
                               f"{a}): cùng ngày, cùng bản Xi Nế, lượt người nghe 121 / 120")


def test_undoing_a_merge_keeps_a_correction_made_since(engine):
    from data_model.records.write import update_record

    a, b = _pair(engine)
    with write_session(engine) as s:
        link = merge_pair(session=s, actor=OFFICIAL, keep_id=b, merge_id=a)
    with write_session(engine) as s:  # the joint session's attendance corrected after the merge
        update_record(session=s, actor=SYSTEM, record_id=b, confirm_warnings=True, today=TODAY,
                      values=outreach(unit_id(s, "bn_huan_luyen_co_dong"), commune_key=MU_CA,
                                      village_id=village_id(s, "Xi Nế"), attendances=125))
    with write_session(engine) as s:
        undo_merge(session=s, actor=SYSTEM, link_id=link, reason="hai buổi khác nhau")
    assert _province(engine) == (2, 245)
    with read_session(engine) as s:
        assert summary_mismatches(s) == []
