"""The JUnit XML schema CI tools read (Jenkins xUnit's ``junit-10.xsd``), as a checker."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "junit" / "junit-10.xsd"


@cache
def junit_schema() -> xmlschema.XMLSchema10:
    return xmlschema.XMLSchema10(str(SCHEMA_PATH))


def junit_errors(text: str) -> list[str]:
    """Why ``text`` is not valid against junit-10.xsd; empty when it is."""
    return [str(error.reason or error) for error in junit_schema().iter_errors(text)]
