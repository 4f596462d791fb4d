from decimal import Decimal as D

import pytest

from kpis.achievement import Grade, Thresholds, achievement_rate, progress_to_target, summarize
from tests import builders


@pytest.mark.parametrize(
    ("planned", "actual", "grade", "rate"),
    [
        (D(8), D(8), Grade.ACHIEVED, D("100.0")),
        (D(8), D(13), Grade.ACHIEVED, D("162.5")),
        (D(10), D(8), Grade.ON_TRACK, D("80.0")),
        (D(10), D("7.99"), Grade.NEEDS_EFFORT, D("79.9")),
        (D(0), D(0), Grade.ACHIEVED, None),
        (D(0), D(3), Grade.ACHIEVED, None),
    ],
)
def test_it_grades_higher_is_better(planned, actual, grade, rate):
    result = achievement_rate(planned, actual, lower_is_better=False)
    assert (result.grade, result.rate) == (grade, rate)


@pytest.mark.parametrize(
    ("planned", "actual", "grade", "rate"),
    [
        # ペーパーレス度: 70 % planned, 65 % used → better than plan
        (D(70), D(65), Grade.ACHIEVED, D("107.7")),
        (D(70), D(70), Grade.ACHIEVED, D("100.0")),
        (D(70), D(84), Grade.ON_TRACK, D("83.3")),
        (D(30), D(60), Grade.NEEDS_EFFORT, D("50.0")),
        # 時間外勤務上限時間超過率 planned 0 %
        (D(0), D(0), Grade.ACHIEVED, None),
        (D(0), D("1.5"), Grade.NEEDS_EFFORT, None),
        (D(5), D(0), Grade.ACHIEVED, None),
    ],
)
def test_it_grades_lower_is_better(planned, actual, grade, rate):
    result = achievement_rate(planned, actual, lower_is_better=True)
    assert (result.grade, result.rate) == (grade, rate)


def test_it_says_not_measured_without_an_actual_and_not_applicable_without_a_plan():
    assert achievement_rate(D(5), None, lower_is_better=False).grade == Grade.NOT_MEASURED
    assert achievement_rate(None, D(5), lower_is_better=False).grade == Grade.NOT_APPLICABLE
    assert achievement_rate(None, None, lower_is_better=True).grade == Grade.NOT_APPLICABLE


def test_it_uses_the_plans_thresholds():
    strict = Thresholds(achieved=D(100), on_track=D(95))
    assert achievement_rate(D(10), D(9), lower_is_better=False, thresholds=strict).grade == (
        Grade.NEEDS_EFFORT
    )
    assert achievement_rate(D(10), D(9), lower_is_better=False).grade == Grade.ON_TRACK


def test_it_measures_progress_toward_the_target_in_both_directions():
    assert progress_to_target(D("36.3"), D("43.15"), D(50)) == D("50.0")
    # lower is better: 100 % paper → 30 %, now 65 %
    assert progress_to_target(D(100), D(65), D(30)) == D("50.0")
    assert progress_to_target(D(10), D(5), D(20)) == D("-50.0")
    assert progress_to_target(D(10), None, D(20)) is None
    assert progress_to_target(D(10), D(10), D(10)) is None


@pytest.mark.django_db
def test_it_summarizes_an_indicator_with_marks_in_its_years():
    plan = builders.plan()
    ch = builders.challenge(builders.issue(plan))
    kpi = builders.kpi(ch, direction="lower")
    builders.value(kpi, 2021, planned=100, actual=100)
    builders.value(kpi, 2023, planned=70, actual=65)
    builders.value(kpi, 2024, planned_mark="－", actual_mark="実施済")
    builders.value(kpi, 2025, planned=50, actual_mark="－")
    builders.value(kpi, 2027, planned=30)
    summary = summarize(kpi, 2023)
    assert summary.year.grade == Grade.ACHIEVED
    assert summary.baseline == (2021, D(100))
    assert summary.target == (2027, D(30))
    assert summary.latest == (2023, D(65))
    assert summary.progress == D("50.0")
    assert summarize(kpi, 2024).year.grade == Grade.NOT_APPLICABLE
    assert summarize(kpi, 2025).year.grade == Grade.NOT_MEASURED
    assert summarize(kpi, 2026).year.grade == Grade.NOT_APPLICABLE


@pytest.mark.django_db
def test_it_prefers_the_indicators_own_baseline_and_target():
    plan = builders.plan()
    ch = builders.challenge(builders.issue(plan))
    kpi = builders.kpi(
        ch, baseline_year=2024, baseline_value=D("36.3"), target_year=2027, target_value=D(50)
    )
    builders.value(kpi, 2025, actual=D("43.15"))
    assert summarize(kpi, 2025).progress == D("50.0")


@pytest.mark.django_db
def test_it_measures_no_progress_from_a_single_actual_that_is_its_own_baseline():
    plan = builders.plan()
    kpi = builders.kpi(builders.challenge(builders.issue(plan)))
    builders.value(kpi, 2023, planned=5, actual=7)
    builders.value(kpi, 2027, planned=8)
    summary = summarize(kpi, 2025)
    assert summary.progress is None and summary.progress_label == ""
    assert progress_to_target(D(10), D(10), D(20)) == D("0.0")
    assert str(progress_to_target(D(10), D("9.9999"), D(20))) == "0.0"


def _target_kpi(**kw):
    plan = builders.plan()
    ch = builders.challenge(builders.issue(plan))
    attrs = dict(
        baseline_year=2024,
        baseline_value=D("36.3"),
        target_year=2027,
        target_value=D("50.0"),
        unit="%",
    )
    attrs.update(kw)
    return builders.kpi(ch, **attrs)


@pytest.mark.django_db
def test_a_target_without_an_actual_yet_is_not_measured_rather_than_not_applicable():
    # Nagasaki's 成果指標 (002:555-556): no yearly plan, a baseline and a target only.
    kpi = _target_kpi()
    for year in (2024, 2025, 2027):
        assert summarize(kpi, year).year.grade == Grade.NOT_MEASURED, year
    assert kpi.actual_due(2025) and kpi.actual_due(2027)
    assert not kpi.actual_due(2024) and not kpi.actual_due(2028)
    assert kpi.actual_missing(2025)


@pytest.mark.django_db
def test_a_target_is_graded_by_progress_against_the_straight_line_to_it():
    kpi = _target_kpi(baseline_value=D(30), target_value=D(60))
    # R7 (2025) is one third of the way from R6 to R9: due 30 + 30 / 3 = 40; 40 → 100 %.
    builders.value(kpi, 2025, actual=D("40"))
    result = summarize(kpi, 2025)
    assert result.year.grade == Grade.ACHIEVED and result.year.rate == D("100.0")
    assert result.progress == D("33.3")  # of the whole way to the target
    # Later years without their own actual are graded from the latest actual (R7's).
    assert summarize(kpi, 2026).year.rate == D("100.0")
    builders.value(kpi, 2027, actual=D("51"))
    final = summarize(kpi, 2027)
    assert final.year.grade == Grade.NEEDS_EFFORT and final.year.rate == final.progress


@pytest.mark.django_db
def test_a_falling_target_is_graded_in_its_direction():
    # 5-2 超過率 6.7 % → 5.0 % (002:1153), lower is better.
    kpi = _target_kpi(
        baseline_year=2023,
        baseline_value=D("6.7"),
        target_year=2027,
        target_value=D("5.0"),
        direction="lower",
    )
    builders.value(kpi, 2025, actual=D("5.85"))  # due by R7: 6.7 − 1.7 / 2 = 5.85
    assert summarize(kpi, 2025).year.rate == D("100.0")
    builders.value(kpi, 2026, actual=D("7.0"))  # worse than the baseline
    result = summarize(kpi, 2026)
    assert result.year.grade == Grade.NEEDS_EFFORT and result.year.rate < 0


@pytest.mark.django_db
def test_a_yearly_plan_still_wins_over_the_target_line():
    kpi = _target_kpi()
    builders.value(kpi, 2025, planned=D("40"), actual=D("44"))
    assert summarize(kpi, 2025).year.rate == D("110.0")


@pytest.mark.django_db
def test_baseline_and_target_print_with_the_same_decimals():
    kpi = _target_kpi(baseline_value=D("20.0"), target_value=D("50.0"))
    assert (kpi.baseline_display, kpi.target_display) == ("20.0", "50.0")
    assert kpi.target_summary == "50.0（R9目標）"
    count = _target_kpi(baseline_value=D("45161"), target_value=D("67000"), unit="件")
    assert (count.baseline_display, count.target_display) == ("45,161", "67,000")
