from django.http import HttpRequest


def program(request: HttpRequest) -> dict:
    """Put the program's settings in every template as `program` (None before `init`)."""
    from bdsmarket.registry.models import Program

    return {"program": Program.current()}
