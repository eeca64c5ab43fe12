"""The seed fixtures are faithful to the documents and agree with the totals they state."""

from decimal import Decimal

import pytest

from projects.seed_data import schema

DOCS = {doc["source"][:3]: doc for doc in schema.load_all()}


def test_all_five_documents_are_transcribed():
    assert sorted(DOCS) == ["000", "001", "002", "003", "004"]


def test_forty_nine_projects_in_four_departments_and_four_years():
    projects = [(doc["department"], doc["year"]) for doc in DOCS.values() for _ in doc["projects"]]
    assert len(projects) == 49
    assert len({dept for dept, _ in projects}) == 4
    assert {year for _, year in projects} == {2019, 2020, 2021, 2023}


@pytest.mark.parametrize(
    ("key", "count", "amount"),
    [("000", 8, "9099"), ("002", 21, "24554"), ("003", 7, "3461.67"), ("004", 10, "6281.00")],
)
def test_goal_tables_add_up_to_the_stated_totals(key, count, amount):
    doc = DOCS[key]
    assert len(doc["projects"]) == count
    total = sum((schema.project_budget(p) for p in doc["projects"]), Decimal(0))
    assert total == Decimal(amount)
    assert doc["stated_totals"]["projects"] == count
    assert schema.money(doc["stated_totals"]["amount"]) == Decimal(amount)


def test_yantai_2019_self_evaluated_funds():
    doc = DOCS["001"]
    budgets = [schema.project_budget(p) for p in doc["projects"]]
    assert budgets == [Decimal("5515"), Decimal("1807.5"), Decimal("350")]
    executed = [sum(schema.money(line["executed"]) for line in p["budget_lines"]) for p in doc["projects"]]
    assert executed == budgets
    assert [row["score"] for row in doc["summary_table"]] == ["100", "100", "100"]
    assert [row["grade"] for row in doc["summary_table"]] == ["优", "优", "优"]


@pytest.mark.parametrize("key", sorted(DOCS))
def test_every_document_passes_the_schema_check(key):
    """Keys, money strings and stated totals; and, when ../shared is beside the checkout, every
    name, target and actual occurs in the seed text (whitespace aside)."""
    doc = DOCS[key]
    assert schema.check_document(doc, schema.seed_text_for(doc)) == []


@pytest.mark.skipif(not schema.SEEDS_DIR.exists(), reason="../shared/seeds is not beside this checkout")
def test_text_fidelity_is_really_checked():
    """Guard against the fidelity check passing vacuously: a changed text must be caught."""
    doc = DOCS["001"]
    seed = schema.seed_text_for(doc)
    assert seed is not None
    tampered = {**doc, "projects": [dict(doc["projects"][0])]}
    tampered["projects"][0]["indicators"] = [dict(doc["projects"][0]["indicators"][0], target="401 万人以上")]
    problems = schema.check_document(tampered, seed)
    assert any("does not occur" in p for p in problems)


def test_printed_scores_are_kept_apart_from_computed_ones():
    """The fixtures hold only what was printed; computed scores are the engine's business."""
    for doc in DOCS.values():
        for project in doc["projects"]:
            for ind in project["indicators"]:
                assert "score" not in ind
                if doc["form"] == "goal":
                    assert ind["printed_score"] is None and ind["actual"] is None


def test_fund_user_is_only_where_the_document_prints_it():
    """资金使用单位: seed 001's summary table names 烟台市医疗保障服务中心 for its three projects; no other
    seed prints one, and a fund user that disagrees with the summary row is caught."""
    assert [p.get("fund_user") for p in DOCS["001"]["projects"]] == ["烟台市医疗保障服务中心"] * 3
    assert [r["unit"] for r in DOCS["001"]["summary_table"]] == ["烟台市医疗保障服务中心"] * 3
    for key, doc in DOCS.items():
        if key != "001":
            assert not any(p.get("fund_user") for p in doc["projects"]), key
    doc = DOCS["001"]
    tampered = {**doc, "projects": [dict(doc["projects"][0], fund_user="烟台市医疗保障局某中心")]}
    problems = schema.check_document(tampered, schema.seed_text_for(doc))
    assert any("differs from the summary table" in p for p in problems)
