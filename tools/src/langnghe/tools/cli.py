"""The `langnghe` command: `up` runs the whole system on this machine, `provision` creates or
updates streams and durable consumers anywhere. Other subcommands live in their own modules
and are imported only when used (see EXTERNAL_COMMANDS)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

from langnghe.runtime import provision_command
from langnghe.runtime.settings import DEFAULT_HTTP_PORTS, DEFAULT_NATS_MONITOR_PORT, DEFAULT_NATS_PORT
from langnghe.tools.launcher import SERVICES, Launcher, StackConfig

#: name -> ("module:function", help). The function takes the remaining arguments
#: (list[str]) and returns an exit code (None means 0).
EXTERNAL_COMMANDS: dict[str, tuple[str, str]] = {
    "docs": ("langnghe.tools.docs:main_docs", "build or check the documentation"),
    "bench": ("langnghe.tools.bench.cli:main_bench", "run the benchmarks"),
    "ops": ("langnghe.tools.ops:main_ops", "operator tools"),
    "void": ("langnghe.tools.void:main_void", "void a quarantined message (an audited marker)"),
    "backup": ("langnghe.tools.backup:main_backup", "back up the streams and intake's vault into DIR"),
    "restore": ("langnghe.tools.backup:main_restore", "restore a backup into an empty data directory"),
    "chaos": ("langnghe.tools.chaos:main_chaos", "run the system under faults and check nothing was lost"),
    "token": (
        "langnghe.tools.issuer.cli:main_token",
        "print a bearer token of the embedded issuer, or rotate its key",
    ),
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
        description=provision_command.FLAGS_NOTE,
    )
    # The same command as the runtime's `langnghe-provision` (what a deployment's job runs).
    provision_command.add_arguments(prov)
    prov.set_defaults(handler=provision_command.run)

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
