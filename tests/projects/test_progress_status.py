import pytest

from projects.models import ProgressStatus, ProjectPhase


@pytest.mark.parametrize(
    ("year", "phase", "status"),
    [
        (2023, "build", ProgressStatus.DONE),
        (2024, "operate", ProgressStatus.DONE),
        (2025, "build", ProgressStatus.CURRENT),
        (2025, "operate", ProgressStatus.CURRENT),
        (2026, "operate", ProgressStatus.PLANNED),
        (2022, "consider", ProgressStatus.CONSIDER),
        (2027, "consider", ProgressStatus.CONSIDER),
    ],
)
def test_it_derives_the_progress_status_from_phase_and_report_year(year, phase, status):
    assert ProjectPhase(fiscal_year=year, phase=phase).progress_status(2025) == status
