"""The `langnghe` command: `up` runs the whole system on this machine, `provision` creates or
updates streams and durable consumers anywhere. Other subcommands live in their own modules
and are imported only when used (see EXTERNAL_COMMANDS)."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from langnghe.devstack.launcher import (
    PROVISION_ERRORS,
    SERVICES,
    Launcher,
    StackConfig,
    provision_nats,
    summary_line,
)
from langnghe.runtime.settings import (
    DEFAULT_HTTP_PORTS,
    DEFAULT_NATS_MONITOR_PORT,
    DEFAULT_NATS_PORT,
    ProvisionSettings,
)

#: name -> ("module:function", help). The function takes the remaining arguments
#: (list[str]) and returns an exit code (None means 0).
EXTERNAL_COMMANDS: dict[str, tuple[str, str]] = {
    "docs": ("langnghe.devstack.docs:main_docs", "build or check the documentation"),
    "bench": ("langnghe.devstack.bench:main_bench", "run the benchmarks"),
    "ops": ("langnghe.devstack.ops:main_ops", "operator tools"),
}


def complain(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 1-65535: {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langnghe", description="Lắng Nghe: run the system on this machine, or provision it."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = commands.add_parser(
        "up",
        help="run nats-server and the four services, supervised, until Ctrl-C",
        description="Start nats-server, provision streams and consumers, start intake, "
        "tracking, notify and reporting, and restart any of them that dies. Data stays in "
        "--data-dir across restarts.",
    )
    up.add_argument("--data-dir", type=Path, default=Path("./var"), help="default: ./var")
    ports = {"nats": DEFAULT_NATS_PORT, "nats-monitor": DEFAULT_NATS_MONITOR_PORT}
    ports.update(DEFAULT_HTTP_PORTS)
    for name, default in ports.items():
        up.add_argument(
            f"--{name}-port", type=_port, default=default, metavar="PORT", help=f"default: {default}"
        )
    up.add_argument("--host", default="127.0.0.1", help="HTTP bind address of the services")
    up.add_argument("--demo", action="store_true", help="load the demo data set once into this data dir")
    up.set_defaults(handler=cmd_up)

    prov = commands.add_parser(
        "provision",
        help="create or update streams and durable consumers; report drift",
        description="Flags override LN_PROVISION_NATS_URL and LN_PROVISION_REPLICAS.",
    )
    prov.add_argument("--nats-url", help="default: $LN_PROVISION_NATS_URL")
    prov.add_argument(
        "--replicas",
        type=int,
        help="1 embedded, 3 or 5 in production (default: $LN_PROVISION_REPLICAS, else 1)",
    )
    prov.add_argument("--dry-run", action="store_true", help="change nothing, report only")
    prov.set_defaults(handler=cmd_provision)

    for name, (_, help_text) in EXTERNAL_COMMANDS.items():
        commands.add_parser(name, help=help_text, add_help=False)
    return parser


def cmd_up(args: argparse.Namespace) -> int:
    cfg = StackConfig(
        data_dir=args.data_dir.expanduser().resolve(),
        host=args.host,
        nats_port=args.nats_port,
        nats_monitor_port=args.nats_monitor_port,
        http_ports={name: getattr(args, f"{name}_port") for name in SERVICES},
        demo=args.demo,
    )
    return Launcher(cfg).run()


def cmd_provision(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = {}
    if args.nats_url:
        overrides["nats_url"] = args.nats_url
    if args.replicas is not None:
        overrides["replicas"] = args.replicas
    try:
        settings = ProvisionSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        for detail in exc.errors():
            where = ".".join(str(part) for part in detail["loc"])
            if where == "nats_url" and detail["type"] == "missing":
                complain(
                    "provision: no NATS URL. Pass --nats-url or set LN_PROVISION_NATS_URL "
                    f"(the embedded default is nats://127.0.0.1:{DEFAULT_NATS_PORT})."
                )
            else:
                complain(f"provision: {where}: {detail['msg']}")
        return 2
    try:
        report = asyncio.run(
            provision_nats(settings.nats_url, replicas=settings.replicas, dry_run=args.dry_run)
        )
    except RuntimeError as exc:  # unreachable, or the consumer list missing: already explained
        complain(f"provision: {exc}")
        return 1
    except PROVISION_ERRORS as exc:
        complain(f"provision: failed against {settings.nats_url}: {type(exc).__name__}: {exc}")
        return 1
    mode = " (dry run: nothing was changed)" if args.dry_run else ""
    print(f"{settings.nats_url}, replicas {settings.replicas}{mode}")
    created = "missing, would be created" if args.dry_run else "created"
    listed = (created, report.created), ("updated", report.updated), ("unchanged", report.unchanged)
    for label, names in listed:
        for name in names:
            print(f"  {label:<10} {name}")
    for name, fields in report.drift.items():
        print(f"  drift      {name}")
        for field_name, (found, wanted) in fields.items():
            print(f"               {field_name}: found {found!r}, wanted {wanted!r}")
    for name, message in report.errors.items():
        print(f"  ERROR      {name}: {message}")
    print(summary_line(report))
    return 0 if report.ok else 1


def run_external(name: str, argv: list[str]) -> int:
    target, _ = EXTERNAL_COMMANDS[name]
    module_name, function_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # the module exists but something it imports does not: show that
        complain(f"langnghe {name}: not available ({module_name} is not part of this install)")
        return 2
    function: Callable[[list[str]], int | None] | None = getattr(module, function_name, None)
    if function is None:
        complain(f"langnghe {name}: not available ({target} not found)")
        return 2
    return int(function(argv) or 0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in EXTERNAL_COMMANDS:
        return run_external(args[0], args[1:])
    parsed = build_parser().parse_args(args)
    handler: Callable[[argparse.Namespace], int] = parsed.handler
    return handler(parsed)


if __name__ == "__main__":
    raise SystemExit(main())
