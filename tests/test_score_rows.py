"""python manage.py score_rows: CSV in, scored CSV out, never stopping halfway."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command


def run(tmp_path, text: str, *args: str) -> list[dict[str, str]]:
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("score_rows", str(path), *args, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.django_db
def test_scores_the_domain_examples(tmp_path):
    rows = run(
        tmp_path,
        "target,actual,weight\n92%,93%,2\n400 万人以上,400.3 万人,5\n≥ 90%,81%,5\n≤ 60 分钟,75 分钟,4\n",
    )
    assert [r["score"] for r in rows] == ["2.00", "5.00", "4.50", "3.20"]
    assert "93 ÷ 92 × 2 = 2.02" in rows[0]["explanation"] and "封顶 2.00" in rows[0]["explanation"]
    assert (
        rows[3]["direction"] == "le" and rows[3]["target_value"] == "60" and rows[3]["target_unit"] == "分钟"
    )
    assert (
        rows[1]["kind"] == "quantitative"
        and rows[1]["target_value"] == "4000000"
        and rows[1]["target_unit"] == "人"
    )
    # the input columns come back unchanged
    assert rows[0]["target"] == "92%" and rows[0]["weight"] == "2"


@pytest.mark.django_db
def test_qualitative_rows_need_a_band(tmp_path):
    rows = run(
        tmp_path,
        "target,actual,weight,band,score\n"
        "有效缓解,有效缓解,15,部分完成,10.5\n"
        "有效缓解,有效缓解,15,完成,\n"
        "作用显著,作用显著,10,,\n",
    )
    assert rows[0]["score"] == "10.50" and rows[0]["kind"] == "qualitative"
    assert rows[1]["score"] == "15.00"
    assert rows[2]["score"] == "" and "需评定档次" in rows[2]["flags"]


@pytest.mark.django_db
def test_band_is_ignored_for_quantitative_rows(tmp_path):
    rows = run(tmp_path, "target,actual,weight,band\n≥ 90%,81%,5,完成\n")
    assert rows[0]["score"] == "4.50"


@pytest.mark.django_db
def test_bad_rows_get_their_error_and_the_rest_is_scored(tmp_path):
    rows = run(
        tmp_path,
        "target,actual,weight,direction\n92%,93%,两分,\n92%,93%,-1,\n92%,93%,2,往上\n≥ 90%,81%,5,\n",
    )
    assert "分值“两分”不是数字" in rows[0]["flags"]
    assert "分值不能为负数" in rows[1]["flags"]
    assert "指标方向“往上”无法识别" in rows[2]["flags"]
    assert rows[3]["score"] == "4.50"
    assert all(r["score"] == "" for r in rows[:3])


@pytest.mark.django_db
def test_explicit_direction_wins(tmp_path):
    rows = run(tmp_path, "target,actual,weight,direction\n60,75,4,反向\n60,75,4,\n")
    assert rows[0]["score"] == "3.20"
    assert rows[1]["score"] == "4.00"


@pytest.mark.django_db
def test_the_national_scheme_can_be_chosen(tmp_path):
    rows = run(tmp_path, "target,actual,weight\n≤10,15,10\n", "--scheme", "national-2020")
    assert rows[0]["score"] == "5.00"
    rows = run(tmp_path, "target,actual,weight\n≤10,15,10\n")
    assert rows[0]["score"] == "6.67"


@pytest.mark.django_db
def test_missing_columns_and_unknown_scheme_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="缺少列"):
        run(tmp_path, "target,weight\n92%,2\n")
    with pytest.raises(CommandError, match="未知的评分方案"):
        run(tmp_path, "target,actual,weight\n92%,93%,2\n", "--scheme", "nope")
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("score_rows", str(tmp_path / "absent.csv"), stdout=io.StringIO())


# --- #12: reported scores against computed ones; formula injection -----------------------------


@pytest.mark.django_db
def test_reported_score_gives_the_gap_to_the_computed_score(tmp_path):
    rows = run(
        tmp_path,
        "name,target,actual,weight,reported_score\n"
        "参保率,≥ 90%,81%,5,5\n"
        "参保率,≥ 90%,81%,5,4.5\n"
        "参保率,≥ 90%,81%,5,\n"
        "参保率,≥ 90%,81%,5,4\n"
        "统筹病种,甲类 16 种,完成,5,5\n",
    )
    assert [r["reported_diff"] for r in rows] == ["0.50", "0.00", "", "-0.50", ""]
    assert "自报得分与计算不符" in rows[0]["flags"]
    assert "自报得分与计算不符" not in rows[1]["flags"]
    # a qualitative row without a band has no computed score: no gap, and it says why
    assert rows[4]["score"] == "" and "需评定档次" in rows[4]["flags"]


@pytest.mark.django_db
def test_reported_score_column_is_optional_and_checked(tmp_path):
    rows = run(tmp_path, "target,actual,weight\n≥ 90%,81%,5\n")
    assert rows[0]["reported_diff"] == "" and rows[0]["score"] == "4.50"
    bad = run(tmp_path, "target,actual,weight,reported_score\n≥ 90%,81%,5,满分\n")
    assert "自报得分“满分”不是数字" in bad[0]["flags"] and bad[0]["reported_diff"] == ""


@pytest.mark.django_db
def test_output_cells_cannot_start_a_formula(tmp_path):
    rows = run(
        tmp_path,
        'name,target,actual,weight,reported_score\n=HYPERLINK("x"),≥ 90%,81%,5,5\n@SUM(A1),+90%,-3,5,\n',
    )
    assert rows[0]["name"] == '\'=HYPERLINK("x")' and rows[1]["name"] == "'@SUM(A1)"
    assert rows[1]["target"] == "'+90%"
    # numbers stay numbers: a negative gap or value is not a formula
    assert rows[0]["reported_diff"] == "0.50" and rows[1]["weight"] == "5"
    assert all(not value.startswith(("=", "+", "@")) for row in rows for value in row.values())
    header = run(tmp_path, "target,actual,weight,=cmd\n≥ 90%,81%,5,x\n")
    assert "'=cmd" in header[0] and "=cmd" not in header[0]
