"""Pages to import a CSV or XLSX file of any registered kind, and to download its template.

Thin doors: the importers (core.tabular, <app>.importers) check, store and report, through
core's import jobs (core.services.import_job_start): a small file's result is shown at
once; a large one is imported in the background and its job page shows the progress.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from bdsmarket.core.models import ImportJob
from bdsmarket.core.permissions import import_jobs_visible_to
from bdsmarket.core.services import (
    import_job_progress,
    import_job_settle_abandoned,
    import_job_start,
)
from bdsmarket.core.tabular import Importer, importer_class, importers, template_file

# How many of the latest import jobs the import page lists.
RECENT_JOBS = 10


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
    context = {
        "importers": allowed,
        "jobs": [
            import_job_settle_abandoned(job)
            for job in import_jobs_visible_to(request.user)[:RECENT_JOBS]  # type: ignore[arg-type]
        ],
    }
    return render(request, "registry/import_index.html", context)


@login_required
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    importer = _importer_for(request, kind)
    result = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = import_job_start(
                actor=request.user,  # type: ignore[arg-type]
                kind=kind,
                upload=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
            if job.status != ImportJob.Status.DONE:  # queued for the worker, or failed
                return redirect("imports:job", pk=job.pk)
            result = job.result()
    else:
        form = ImportForm()
    context = {"importer": importer, "kind": kind, "form": form, "result": result}
    return render(request, "registry/import_upload.html", context)


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """One import job: its progress while it waits or runs, then its outcome.

    The page asks for itself again every second (htmx) until the job has finished; those
    requests get only the part that changes.
    """
    job = import_job_settle_abandoned(
        get_object_or_404(import_jobs_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    )
    importer = importer_class(job.kind)
    context = {
        "job": job,
        "importer": importer,
        "kind": job.kind,
        "may_import": importer is not None and importer.can_import(request.user),  # type: ignore[arg-type]
        "result": job.result() if job.status == ImportJob.Status.DONE else None,
        "progress": import_job_progress(job),
    }
    partial = request.headers.get("HX-Request") == "true"
    template_name = "registry/_import_job_status.html" if partial else "registry/import_job.html"
    response = render(request, template_name, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def template(request: HttpRequest, kind: str, language: str, format: str) -> HttpResponse:
    importer = _importer_for(request, kind)
    content, content_type = template_file(importer.spec, format=format, language=language)
    response = HttpResponse(content, content_type=content_type)
    filename = f"bdsmarket-{kind}-{language}.{format}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
