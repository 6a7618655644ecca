"""The population aged 65+ per kommun and year: ``manage.py import_population`` and the admin's
upload read the same CSV (kommun, year, inhabitants_65plus; SCB's export as it comes), all or
nothing, and the project ships the checked figures of Region Västerbotten as an example."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges.models import KommunPopulation
from discharges.population import PopulationImportFailed, import_population, population_year
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

EXAMPLE = Path(settings.BASE_DIR) / "discharges" / "data" / "population-65plus-vasterbotten.csv"


def stored() -> dict[tuple[str, int], int]:
    return {
        (p.kommun.code, p.year): p.inhabitants_65plus
        for p in KommunPopulation.objects.select_related("kommun")
    }


def test_the_example_file_imports_every_kommun_of_vasterbotten(tmp_path: Path) -> None:
    out = StringIO()
    call_command("import_population", str(EXAMPLE), stdout=out)
    assert "60 new, 0 updated, 0 unchanged" in out.getvalue()
    figures = stored()
    assert figures[("2480", 2023)] == 23410
    assert figures[("2403", 2018)] == 729
    assert {code for code, _year in figures} == {
        f"24{n:02d}" for n in (1, 3, 4, 9, 17, 18, 21, 22, 25, 60, 62, 63, 80, 81, 82)
    }
    # Each year's 15 rows sum to the county total published beside them (data/README.md).
    assert sum(v for (_c, y), v in figures.items() if y == 2023) == 60332
    again = StringIO()
    call_command("import_population", str(EXAMPLE), stdout=again)
    assert "0 new, 0 updated, 60 unchanged" in again.getvalue()


def test_it_reads_scbs_semicolon_export_with_names_and_spaces() -> None:
    """SCB's export: a BOM, semicolons, "2480 Umeå" in the kommun column, spaces between
    thousands, and columns the import does not need."""
    text = (
        "\ufeffkommun;ålder;year;inhabitants_65plus\n"
        "2480 Umeå;65+;2024;23 901\n"
        "2482 Skellefteå;65+;2024;18\u00a0020\n"
    )
    result = import_population(text)
    assert (result.created, result.updated) == (2, 0)
    assert stored() == {("2480", 2024): 23901, ("2482", 2024): 18020}


def test_a_new_figure_replaces_the_stored_one() -> None:
    import_population("kommun,year,inhabitants_65plus\n2480,2024,23000\n")
    result = import_population("kommun,year,inhabitants_65plus\n2480,2024,23901\n")
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert stored() == {("2480", 2024): 23901}


def test_a_bad_file_stores_nothing_and_names_every_bad_cell() -> None:
    text = (
        "kommun,year,inhabitants_65plus\n"
        "2480,2024,23901\n"
        "9999,2024,100\n"
        "2482,1850,100\n"
        "2481,2024,-3\n"
        "2480,2024,1\n"
    )
    with pytest.raises(PopulationImportFailed) as failed:
        import_population(text)
    assert failed.value.errors == [
        "rad 3, kolumn kommun: ingen kommunkod (fyra siffror, t.ex. 2480)",
        f"rad 4, kolumn year: ett år från 1968 till {timezone.localdate().year}",
        "rad 5, kolumn inhabitants_65plus: ett helt antal invånare, minst 1",
        "rad 6, kolumn kommun: samma kommun och år som rad 2",
    ]
    assert not KommunPopulation.objects.exists()


def test_the_command_refuses_a_file_without_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "fel.csv"
    path.write_text("region,år,antal\n2480,2024,1\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_population", str(path), stderr=err)
    assert "inhabitants_65plus" in err.getvalue() and "year" in err.getvalue()


def test_a_month_divides_by_the_population_at_the_end_of_the_year_before() -> None:
    assert population_year(2026) == 2025


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(make_user("systemforvaltare", is_staff=True, is_superuser=True))
    return client


def test_the_admin_imports_an_uploaded_file(admin_client: Client) -> None:
    url = reverse("admin:discharges_kommunpopulation_import")
    assert (
        url
        in admin_client.get(
            reverse("admin:discharges_kommunpopulation_changelist")
        ).content.decode()
    )
    upload = SimpleUploadedFile("befolkning.csv", EXAMPLE.read_bytes(), "text/csv")
    response = admin_client.post(url, {"file": upload})
    assert response.status_code == 302
    assert KommunPopulation.objects.count() == 60
    listing = admin_client.get(response["Location"])
    assert "60 nya, 0 ändrade och 0 oförändrade uppgifter." in listing.content.decode()


def test_the_admin_shows_the_errors_and_stores_nothing(admin_client: Client) -> None:
    upload = SimpleUploadedFile("fel.csv", b"kommun,year,inhabitants_65plus\n2480,2024,x\n")
    response = admin_client.post(
        reverse("admin:discharges_kommunpopulation_import"), {"file": upload}
    )
    assert response.status_code == 400
    assert "rad 2, kolumn inhabitants_65plus" in response.content.decode()
    assert not KommunPopulation.objects.exists()


def test_only_the_systemforvaltare_reaches_the_upload(db: None) -> None:
    client = Client()
    client.force_login(make_user("planner_staff", is_staff=True))  # staff without permissions
    response = client.get(reverse("admin:discharges_kommunpopulation_import"))
    assert response.status_code == 403
