"""`langnghe docs`: the machine-readable documentation, generated from code so it cannot drift.

    docs/schemas/<type>.v<N>.json   JSON Schema of every event type and version on the wire
    docs/asyncapi/<service>.json    what each service publishes and consumes (AsyncAPI 3)
    docs/openapi/<service>.json     each service's HTTP API
    docs/schemas/oversight/<kind>.v<N>.json, docs/asyncapi/oversight.json
                                    the oversight feed's messages and channels (docs/oversight-feed.md)

Generation connects to nothing. Services are built with fixed settings (the documented
default ports), so the output depends on the code alone and the committed copy can be
compared with a fresh one (`--check`, and tests/unit/test_docs.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from langnghe.contracts.oversight_feed_docs import feed_schemas, oversight_asyncapi
from langnghe.contracts.schemas import event_schemas
from langnghe.runtime.settings import DEFAULT_HTTP_PORTS, DEFAULT_NATS_PORT

SERVICES: tuple[str, ...] = tuple(DEFAULT_HTTP_PORTS)
#: The subdirectories this command owns: stale .json files in them are removed.
GENERATED_DIRS = ("schemas", "schemas/oversight", "asyncapi", "openapi")


def _pretty(document: Any, *, sort_keys: bool = False) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=sort_keys) + "\n"


def _service_app(service: str, database_dir: Path) -> Any:
    # Services depend on the shared package, not the other way round: import them by name.
    create_app = importlib.import_module(f"langnghe.{service}.app").create_app
    settings_class = getattr(
        importlib.import_module(f"langnghe.{service}.settings"), f"{service.capitalize()}Settings"
    )
    settings = settings_class(
        nats_url=f"nats://127.0.0.1:{DEFAULT_NATS_PORT}",
        database_url=f"sqlite+aiosqlite:///{database_dir}/x.db",
        http_port=DEFAULT_HTTP_PORTS[service],
    )
    return create_app(settings)


def generate() -> dict[str, str]:
    """Every generated file: relative path (POSIX) -> content."""
    files = {
        f"schemas/{name}.json": _pretty(schema, sort_keys=True) for name, schema in event_schemas().items()
    }
    files.update(
        {
            f"schemas/oversight/{name}.json": _pretty(schema, sort_keys=True)
            for name, schema in feed_schemas().items()
        }
    )
    files["asyncapi/oversight.json"] = _pretty(oversight_asyncapi(), sort_keys=True)
    with tempfile.TemporaryDirectory(prefix="langnghe-docs-") as tmp:
        for service in SERVICES:
            app = _service_app(service, Path(tmp))
            # FastStream keeps publishers and subscribers in WeakSets, so channels, operations
            # and messages come out in memory-address order; sorted keys make the file stable.
            asyncapi = json.loads(app.state.runtime.asyncapi().to_json())
            files[f"asyncapi/{service}.json"] = _pretty(asyncapi, sort_keys=True)
            files[f"openapi/{service}.json"] = _pretty(app.openapi())
    return files


def read_generated(out: Path) -> dict[str, str]:
    """The generated files as they are on disk under `out`."""
    return {
        path.relative_to(out).as_posix(): path.read_text(encoding="utf-8")
        for directory in GENERATED_DIRS
        for path in sorted((out / directory).glob("*.json"))
    }


def main_docs(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="langnghe docs",
        description="Write the event JSON Schemas, AsyncAPI and OpenAPI documents generated from code.",
    )
    parser.add_argument("--out", type=Path, default=Path("docs"), help="default: ./docs")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the files under --out are stale"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    out: Path = args.out
    fresh = generate()
    on_disk = read_generated(out)

    if args.check:
        stale = sorted(p for p in fresh.keys() | on_disk.keys() if fresh.get(p) != on_disk.get(p))
        for rel in stale:
            print(f"  stale      {out / rel}")
        print(
            f"{len(stale)} stale of {len(fresh)} generated files" + (": run `langnghe docs`" if stale else "")
        )
        return 1 if stale else 0

    for rel, content in fresh.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        label = "unchanged" if on_disk.get(rel) == content else "wrote"
        if label == "wrote":
            path.write_text(content, encoding="utf-8")
        print(f"  {label:<10} {path}")
    for rel in sorted(on_disk.keys() - fresh.keys()):
        (out / rel).unlink()
        print(f"  removed    {out / rel}")
    print(f"{len(fresh)} files under {out}")
    return 0
