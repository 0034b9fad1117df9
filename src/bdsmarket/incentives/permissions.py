"""Who may see and do what with incentives. Every door (pages, API, commands) uses these.

Program staff and auditors read every statement, scheme and package; provider staff read
their own provider's statements and package (a scheme is public to them: they should know
how they are paid); evaluators see none. The program manager sets schemes, approves
statements, pays and keeps the packages; the monitoring officer may compute statements.
"""

from django.db.models import QuerySet

from bdsmarket.core.models import Role, User

from .models import IncentiveScheme, PaymentBatch, Statement, StatementQuerySet, SupportPackage


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _is_manager(user: User) -> bool:
    return _active(user) and user.role == Role.MANAGER


def can_manage_schemes(user: User) -> bool:
    return _is_manager(user)


def can_compute_statements(user: User) -> bool:
    return _active(user) and user.is_program_staff


def can_approve_statements(user: User) -> bool:
    return _is_manager(user)


def can_approve_statement(user: User, statement: Statement) -> bool:
    """Whether `user` may approve `statement`: a computed one (an approved or paid one is
    never touched again, only superseded)."""
    return can_approve_statements(user) and statement.status == Statement.Status.COMPUTED


def can_edit_scheme(user: User, scheme: IncentiveScheme) -> bool:
    """Whether `user` may change `scheme`: a draft (an adopted scheme changes only through
    a new version)."""
    return can_manage_schemes(user) and scheme.status == IncentiveScheme.Status.DRAFT


def can_adopt_scheme(user: User, scheme: IncentiveScheme) -> bool:
    return can_edit_scheme(user, scheme)


def can_pay_statements(user: User) -> bool:
    return _is_manager(user)


def can_manage_packages(user: User) -> bool:
    return _is_manager(user)


def can_see_incentives(user: User) -> bool:
    """Whether `user` has any statements, schemes or packages to look at."""
    return _active(user) and (user.reads_whole_program or user.role == Role.PROVIDER)


def can_simulate(user: User) -> bool:
    """Run schemes over past months: the program's staff and auditors."""
    return _active(user) and user.reads_whole_program


def can_see_batches(user: User) -> bool:
    """The payment batches (every provider's transfers and accounts): the program's
    readers."""
    return _active(user) and user.reads_whole_program


def can_see_program_packages(user: User) -> bool:
    """Every support package and the program's balances against its budget."""
    return _active(user) and user.reads_whole_program


def batches_visible_to(user: User) -> QuerySet[PaymentBatch]:
    """Return the payment batches `user` may see."""
    batches = PaymentBatch.objects.select_related("created_by")
    return batches if can_see_batches(user) else batches.none()


def statements_visible_to(user: User) -> StatementQuerySet:
    """Return the statements `user` may see."""
    statements = Statement.objects.select_related("provider", "scheme")
    if not _active(user):
        return statements.none()
    if user.reads_whole_program:
        return statements
    if user.role == Role.PROVIDER:
        return statements.filter(provider_id=user.provider_id or 0)
    return statements.none()


def packages_visible_to(user: User) -> QuerySet[SupportPackage]:
    packages = SupportPackage.objects.select_related("provider")
    if not _active(user):
        return packages.none()
    if user.reads_whole_program:
        return packages
    if user.role == Role.PROVIDER:
        return packages.filter(provider_id=user.provider_id or 0)
    return packages.none()


def schemes_visible_to(user: User) -> QuerySet[IncentiveScheme]:
    """Schemes: every one to the program's readers; the adopted ones to provider staff."""
    schemes = IncentiveScheme.objects.all()
    if not can_see_incentives(user):
        return schemes.none()
    if user.reads_whole_program:
        return schemes
    return schemes.filter(status=IncentiveScheme.Status.ADOPTED)
