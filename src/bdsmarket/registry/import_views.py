"""Pages to import a CSV or XLSX file of any registered kind, and to download its template.

Thin doors: the importers (core.tabular, <app>.importers) check, store and report.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.tabular import Importer, importer_class, importers, template_file


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))
    dry_run = forms.BooleanField(
        label=_("Only check the file: store nothing"), required=False, initial=False
    )


def _importer_for(request: HttpRequest, kind: str) -> type[Importer]:
    """Return the importer of `kind`; 404 when there is none, 403 when the user may not use it."""
    importer = importer_class(kind)
    if importer is None:
        raise Http404
    if not importer.can_import(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    return importer


@login_required
def index(request: HttpRequest) -> HttpResponse:
    allowed = [
        importer
        for importer in importers().values()
        if importer.can_import(request.user)  # type: ignore[arg-type]
    ]
    if not allowed:
        raise PermissionDenied
    return render(request, "registry/import_index.html", {"importers": allowed})


@login_required
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer_for(request, kind)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = importer(actor=request.user).run(  # type: ignore[arg-type]
                form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"]
            )
    else:
        form = ImportForm()
    context = {"importer": importer, "kind": kind, "form": form, "result": result}
    return render(request, "registry/import_upload.html", context)


@login_required
def template(request: HttpRequest, kind: str, language: str, format: str) -> HttpResponse:
    importer = _importer_for(request, kind)
    content, content_type = template_file(importer.spec, format=format, language=language)
    response = HttpResponse(content, content_type=content_type)
    filename = f"bdsmarket-{kind}-{language}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
