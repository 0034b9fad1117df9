"""The import page: upload a file, see its errors or what was stored; download templates."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bdsmarket.registry.models import City, Enterprise, Provider

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_import_pages_need_a_login(program, client):
    response = client.get(reverse("imports:upload", args=["providers"]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_index_lists_only_the_kinds_the_user_may_import(login, staff_a, manager):
    page = login(staff_a).get(reverse("imports:index")).content.decode()
    assert reverse("imports:upload", args=["enterprises"]) in page
    assert reverse("imports:upload", args=["providers"]) not in page
    page = login(manager).get(reverse("imports:index")).content.decode()
    for kind in ["cities", "sectors", "providers", "enterprises", "organizations"]:
        assert reverse("imports:upload", args=[kind]) in page


def test_someone_who_may_import_nothing_is_kept_out(login, evaluator):
    assert login(evaluator).get(reverse("imports:index")).status_code == 403


def test_a_bad_file_shows_its_errors_and_stores_nothing(login, manager):
    file = csv_file("codigo;nombre;tipo_legal;ciudad\nCDE-X;X;ong;Lima\nCDE-Y;Y;firm;Atlantis\n")
    response = login(manager).post(reverse("imports:upload", args=["providers"]), {"file": file})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The file was not imported" in page
    assert "<td>3</td>" in page
    assert "<td>ciudad</td>" in page
    assert "<code>Atlantis</code>" in page
    assert "a city of the program" in page
    assert Provider.objects.count() == 0


def test_a_good_file_is_stored_and_summarized(login, manager):
    file = csv_file("name,legal_type,city,code\nCentro Piura,firm,Lima,CDE-PIU-01\n")
    response = login(manager).post(reverse("imports:upload", args=["providers"]), {"file": file})
    assert "1 provider: 1 created, 0 updated, 0 unchanged" in response.content.decode()
    assert Provider.objects.get(code="CDE-PIU-01").name == "Centro Piura"


def test_checking_only_stores_nothing(login, manager):
    response = login(manager).post(
        reverse("imports:upload", args=["cities"]),
        {"file": csv_file("name\nPiura\n"), "dry_run": "on"},
    )
    assert "The file is correct" in response.content.decode()
    assert not City.objects.filter(name="Piura").exists()


def test_an_unreadable_file_is_refused_with_its_reason(login, manager):
    file = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    response = login(manager).post(reverse("imports:upload", args=["cities"]), {"file": file})
    assert "neither a CSV file nor an Excel workbook" in response.content.decode()


def test_provider_staff_import_enterprises_for_their_provider(login, staff_a, provider_a):
    response = login(staff_a).post(
        reverse("imports:upload", args=["enterprises"]),
        {"file": csv_file("nombre,tipo_cliente\nRosa Quispe,Microempresa\n")},
    )
    assert response.status_code == 200
    assert Enterprise.objects.get().registered_by == provider_a


def test_provider_staff_cannot_import_providers(login, staff_a):
    client = login(staff_a)
    url = reverse("imports:upload", args=["providers"])
    assert client.get(url).status_code == 403
    file = csv_file("code,name,legal_type,city\nCDE-X,X,firm,Lima\n")
    assert client.post(url, {"file": file}).status_code == 403
    template = reverse(
        "imports:template", kwargs={"kind": "providers", "language": "en", "format": "csv"}
    )
    assert client.get(template).status_code == 403
    assert Provider.objects.filter(code="CDE-X").count() == 0


def test_an_unknown_kind_is_not_found(login, manager):
    assert login(manager).get(reverse("imports:upload", args=["planets"])).status_code == 404


@pytest.mark.parametrize(
    ("language", "header"),
    [("en", "code,name,legal_type,city"), ("es", "codigo;nombre;tipo_legal;ciudad")],
)
def test_the_csv_template_downloads_in_either_language(login, manager, language, header):
    url = reverse(
        "imports:template", kwargs={"kind": "providers", "language": language, "format": "csv"}
    )
    response = login(manager).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"bdsmarket-providers-{language}.csv" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").startswith(header)


@pytest.mark.parametrize(("language", "first"), [("en", "national_id"), ("es", "documento")])
def test_the_xlsx_template_downloads_in_either_language(login, manager, language, first):
    url = reverse(
        "imports:template", kwargs={"kind": "enterprises", "language": language, "format": "xlsx"}
    )
    response = login(manager).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value == first
    assert len(sheet.data_validations.dataValidation) == 2  # client type and gender


def test_the_upload_page_offers_the_templates_and_explains_the_columns(login, manager):
    page = login(manager).get(reverse("imports:upload", args=["enterprises"])).content.decode()
    for language in ("es", "en"):
        for format in ("csv", "xlsx"):
            url = reverse(
                "imports:template",
                kwargs={"kind": "enterprises", "language": language, "format": format},
            )
            assert url in page
    assert "<code>tipo_cliente</code>" in page
    assert 'enctype="multipart/form-data"' in page
