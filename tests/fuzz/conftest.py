"""The fuzz tier runs only in the venv `./langnghe fuzz` builds (locks/fuzz.in says why):
elsewhere schemathesis is absent and the tier is not collected."""

from __future__ import annotations

import importlib.util
import sys

import pytest
from tests.service.conftest import module_nats

__all__ = ["module_nats"]

collect_ignore_glob = [] if importlib.util.find_spec("schemathesis") else ["test_*.py"]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    module = next((m for n, m in sys.modules.items() if n.endswith("test_openapi_fuzz")), None)
    for name, statuses in getattr(module, "SENT", {}).items():
        by_status = ", ".join(f"{n} × {status}" for status, n in sorted(statuses.items()))
        terminalreporter.write_line(f"fuzz {name}: {sum(statuses.values())} generated requests ({by_status})")
