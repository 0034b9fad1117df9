"""Writes about people (users, API tokens, the login throttle) and import jobs."""

import json
import logging
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from .models import ApiToken, ImportJob, LoginFailure, Role, User
from .tabular import ImportResult, importer_class

logger = logging.getLogger(__name__)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    provider=None,  # registry.Provider; untyped here so core does not import registry
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = "",
    check_password: bool = True,
) -> User:
    """Create a login with `role`; provider staff must name their provider, others must not."""
    if role not in Role.values:
        raise ValidationError({"role": [_("Unknown role “%(value)s”.") % {"value": role}]})
    if role == Role.PROVIDER and provider is None:
        raise ValidationError({"provider": [_("Provider staff must belong to a provider.")]})
    if role != Role.PROVIDER and provider is not None:
        raise ValidationError({"provider": [_("Only provider staff belong to a provider.")]})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        provider=provider,
        language=language,
        # The Django admin is the program manager's tool for the lists; nobody else sees it.
        is_staff=role == Role.MANAGER,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


# The login throttle


def _failure_window_start():
    return timezone.now() - timedelta(minutes=settings.LOGIN_FAILURE_WINDOW_MINUTES)


def login_is_throttled(*, username: str, ip_address: str | None) -> bool:
    """Return True when the username, or the address, failed too often within the window.

    Counted in the database, so every application server sees the same failures.
    """
    recent = LoginFailure.objects.filter(at__gte=_failure_window_start())
    by_name = recent.filter(username__iexact=username).count()
    by_address = recent.filter(ip_address=ip_address).count() if ip_address else 0
    # An address gets more room than a name: an office's staff share one address.
    return by_name >= settings.LOGIN_FAILURE_LIMIT or by_address >= settings.LOGIN_FAILURE_LIMIT * 4


def login_failure_record(*, username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip_address=ip_address)
    # Old rows serve nobody; keep the table as small as the window.
    LoginFailure.objects.filter(at__lt=_failure_window_start() - timedelta(days=1)).delete()


def login_success_record(*, username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()


# A person's own profile

# What a user may change about themselves; role, provider and username are the manager's.
PROFILE_FIELDS = frozenset({"first_name", "last_name", "email", "language"})


@transaction.atomic
def user_update_profile(*, user: User, changes: dict[str, Any]) -> User:
    """Change `user`'s own name, e-mail or language preference; return the user.

    `language` is a code from settings.LANGUAGES, or "" to follow the browser.
    """
    if not set(changes) <= PROFILE_FIELDS:
        raise PermissionDenied
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    user.full_clean(exclude=["password"])
    if changes:
        user.save(update_fields=sorted(changes))
    return user


# API tokens


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it and its key, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Give the token a name, e.g. the system that uses it.")]})
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[4 : 4 + ApiToken.PREFIX_LENGTH],
        digest=ApiToken.digest_of(key),
    )
    return token, key


def api_token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke `token`; only its owner may."""
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(key: str) -> User | None:
    """Return the active user whose live token has `key`, and note when it was last used."""
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(Q(digest=ApiToken.digest_of(key)))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Writing on every call would make every API read a write; once a minute is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# Import jobs
#
# An uploaded file is kept in a folder of its own, DATA_DIR/imports/<random>/, which every
# application server and worker shares; a random name is never reused, even by another
# database (a test's, a restored backup's). While the import runs the folder also holds
# progress.json; it is deleted when the import has run.

IMPORTS_FOLDER = "imports"
PROGRESS_FILE = "progress.json"


def _job_folder(job: ImportJob) -> Path | None:
    """Return the folder that holds `job`'s upload and progress file, None once it has run."""
    return (Path(settings.DATA_DIR) / job.file_path).parent if job.file_path else None


def import_job_start(
    *, actor: User, kind: str, upload: UploadedFile, dry_run: bool = False
) -> ImportJob:
    """Store `upload` for an import of `kind` and import it; return the job.

    A file up to `settings.BDSMARKET_IMPORT_INLINE_BYTES` is imported at once and the job
    returned finished; a larger one is queued for the background worker (core.tasks) and
    the job returned queued. The import's messages are in the language active now (in a
    request, the user's). Raise PermissionDenied when `actor` may not import `kind`.
    """
    from .tasks import import_job_task  # the task module imports this one

    importer = importer_class(kind)
    if importer is None:
        raise ValidationError({"kind": [_("Unknown kind “%(kind)s”.") % {"kind": kind}]})
    if not importer.can_import(actor):
        raise PermissionDenied
    size = upload.size or 0
    # A file over the size limit is refused before it is read: it is neither kept nor queued.
    too_large = size > settings.BDSMARKET_MAX_UPLOAD_BYTES
    at_once = too_large or size <= settings.BDSMARKET_IMPORT_INLINE_BYTES
    folder = Path(settings.DATA_DIR) / IMPORTS_FOLDER / get_random_string(16).lower()
    file_path = (
        ""
        if too_large
        else str((folder / _safe_file_name(upload.name or "")).relative_to(settings.DATA_DIR))
    )
    try:
        if file_path:
            # Copied before the transaction, which on SQLite holds the write lock.
            _upload_store(upload, Path(settings.DATA_DIR) / file_path)
        with transaction.atomic():
            # The job and its queued task are stored together or not at all.
            job = ImportJob.objects.create(
                kind=kind,
                file_path=file_path,
                file_name=(upload.name or "")[:255],
                file_size=size,
                dry_run=dry_run,
                user=actor,
                language=_active_language(),
            )
            if not at_once:
                import_job_task.enqueue(job_id=job.pk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if at_once:
        return import_job_run(job_id=job.pk, source=None if file_path else upload)
    job.refresh_from_db()  # a backend that runs tasks at once has already run it
    return job


def import_job_run(*, job_id: int, source: UploadedFile | None = None) -> ImportJob:
    """Import the stored file of the queued job `job_id`, record the outcome; return the job.

    Runs in the job's language, as the job's user, and removes the stored file afterwards,
    whatever happened. A job that is not queued (already run, or being run) is returned as
    it is. An import that raises marks the job failed with a message for its user; the
    traceback goes to the log. `source` is the upload itself, for a file never stored.
    """
    started = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=started
    )
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not claimed:
        return job
    data_dir = Path(settings.DATA_DIR)
    folder = _job_folder(job)
    progress = ProgressFile(folder / PROGRESS_FILE) if folder else None
    try:
        with translation.override(job.language):
            _import_job_execute(
                job, data_dir / job.file_path if source is None else source, progress
            )
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        job.file_path = ""
        job.finished_at = timezone.now()
        job.save()
    return job


def _import_job_execute(job: ImportJob, source: Any, progress: "ProgressFile | None") -> None:
    """Run the importer of `job` on `source` and put the outcome (or the failure) on `job`."""
    importer = importer_class(job.kind)
    try:
        if importer is None:
            raise LookupError(f"no importer of kind {job.kind!r}")
        result = importer(actor=job.user).run(source, dry_run=job.dry_run, progress=progress)
    except PermissionDenied:
        job.status = ImportJob.Status.FAILED
        job.summary = _("You may no longer import %(things)s; nothing was stored.") % {
            "things": importer.noun_plural if importer else job.kind
        }
    except BaseException as error:
        # The import is one transaction: whatever stopped it, nothing was stored.
        job.status = ImportJob.Status.FAILED
        if isinstance(error, Exception):
            logger.exception("Import job %s (%s, %s) failed", job.pk, job.kind, job.file_name)
            job.summary = _(
                "The import stopped because of an unexpected problem, and nothing was stored. "
                "Try again; if it happens again, tell the program's staff."
            )
        else:  # the worker is being stopped: record why, then let it stop
            job.summary = _(
                "The import was interrupted because the server was stopped, and nothing was "
                "stored. Upload the file again."
            )
            raise
    else:
        _import_job_record(job, result)


def _import_job_record(job: ImportJob, result: ImportResult) -> None:
    job.status = ImportJob.Status.DONE
    job.created, job.updated, job.unchanged = result.created, result.updated, result.unchanged
    job.error_count = result.error_count
    job.errors = [asdict(error) for error in result.errors]
    job.refused = result.refused
    job.summary = result.summary()


def _active_language() -> str:
    try:
        return translation.get_supported_language_variant(
            translation.get_language() or settings.LANGUAGE_CODE
        )
    except LookupError:
        return settings.LANGUAGE_CODE


def _safe_file_name(name: str) -> str:
    """Return `name` without its folders or control characters, short enough to store.

    The name is otherwise kept as sent, because importers record it (monitoring's import
    batches) and the user recognises it; the folder it goes into is ours.
    """
    name = re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/").rsplit("/", 1)[-1])
    stem, dot, extension = name.strip().rpartition(".")
    if not dot:
        stem, extension = extension, ""
    suffix = f".{extension}"[:12] if dot else ""
    if not stem.strip(". "):
        stem = "upload"
    return stem.encode()[: 200 - len(suffix.encode())].decode(errors="ignore") + suffix


def _upload_store(upload: UploadedFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stored:
        for chunk in upload.chunks():
            stored.write(chunk)


class ProgressFile:
    """A running import's progress, written to a small JSON file that the job page reads.

    The import holds one transaction from start to end, so progress written to the
    database would be seen only at the end (and SQLite lets no other connection write
    meanwhile); a file in the job's folder is seen at once by every server sharing
    DATA_DIR. Called as the importer's `progress(phase, fraction)`, it writes at most
    every INTERVAL seconds, to a temporary name first so a reader never sees half a file.
    """

    INTERVAL = 0.25

    def __init__(self, path: Path) -> None:
        self.path = path
        self._phase = ""
        self._written_at = 0.0

    def __call__(self, phase: str, fraction: float) -> None:
        now = time.monotonic()
        if phase == self._phase and fraction < 1 and now - self._written_at < self.INTERVAL:
            return
        self._phase, self._written_at = phase, now
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(json.dumps({"phase": phase, "fraction": round(fraction, 4)}))
            os.replace(temporary, self.path)
        except OSError:  # a full disk must not stop the import, only its progress bar
            logger.warning("Could not write the import progress to %s", self.path)


@dataclass(frozen=True)
class ImportProgress:
    """How far a running import has got: its phase ("check" or "write") and fraction done."""

    phase: str
    fraction: float

    @property
    def percent(self) -> int:
        return int(self.fraction * 100)

    @property
    def label(self) -> str:
        labels = {"check": _("Checking every row"), "write": _("Storing the rows")}
        return labels.get(self.phase, self.phase)


# A running import says how far it has got every few thousand rows; one silent for this
# long is no longer running (its worker was killed, or its machine stopped), even if the
# database still says so. Its longest silence otherwise is the commit at the end.
ABANDONED_AFTER = timedelta(minutes=30)


def import_job_settle_abandoned(job: ImportJob) -> ImportJob:
    """Mark `job` failed if it is "running" but has given no sign of life for
    ABANDONED_AFTER; return it.

    A killed import stored nothing (it is one transaction), but its job stayed "running"
    and its file stayed on disk: the user waited for it forever. The job page calls this.
    """
    if job.status != ImportJob.Status.RUNNING or job.started_at is None:
        return job
    folder = _job_folder(job)
    try:
        last_sign = (folder / PROGRESS_FILE).stat().st_mtime if folder else 0.0
    except OSError:  # it never said how far it got
        last_sign = 0.0
    last_sign = max(last_sign, job.started_at.timestamp())
    if time.time() - last_sign < ABANDONED_AFTER.total_seconds():
        return job
    with translation.override(job.language):
        summary = _(
            "The import stopped without finishing (its server was stopped or restarted), and "
            "nothing was stored. Upload the file again."
        )
    settled = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
        status=ImportJob.Status.FAILED, summary=summary, file_path="", finished_at=timezone.now()
    )
    if settled and folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
    job.refresh_from_db()
    return job


def import_job_progress(job: ImportJob) -> ImportProgress | None:
    """Return how far the running `job` has got; None when it is not running or has not said."""
    folder = _job_folder(job)
    if job.status != ImportJob.Status.RUNNING or folder is None:
        return None
    path = folder / PROGRESS_FILE
    try:
        data = json.loads(path.read_text())
        return ImportProgress(
            phase=str(data["phase"]), fraction=min(1.0, max(0.0, float(data["fraction"])))
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
