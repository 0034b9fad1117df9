from django.http import HttpRequest

from .models import Program


def program(request: HttpRequest) -> dict:
    """Put the program's settings in every template as `program` (None before `init`)."""
    return {"program": Program.current()}
