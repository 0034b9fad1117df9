"""The demo's kit, shared by every app's demo slice (`<app>/demo.py`): the context each step
receives (`context.py`), plausible fake values (`fake.py`) and the demo's logins
(`logins.py`). It sits in core so that a slice imports core, never the demo app above it.
"""
