"""bdsmarket: one platform for programs that develop markets for business development services."""

__version__ = "0.1.0"
