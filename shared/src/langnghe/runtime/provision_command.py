"""`langnghe-provision`: create or update the streams and durable consumers, report drift.

The provisioning job of a deployment runs it from a service image (docker-compose.yml), where
the developer tools are not installed; `langnghe provision` (the tools distribution) and the
launcher call the same functions.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import nats
import nats.errors
from pydantic import ValidationError

from langnghe.runtime.settings import DEFAULT_NATS_PORT, ProvisionSettings

if TYPE_CHECKING:
    from langnghe.contracts.consumers import ConsumerSpec
    from langnghe.runtime.provisioning import ProvisionReport

#: What provisioning may raise: NATS unreachable or refusing, or the consumer list missing.
PROVISION_ERRORS: tuple[type[Exception], ...] = (OSError, RuntimeError, nats.errors.Error)


def complain(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def summary_line(report: ProvisionReport) -> str:
    return (
        f"provisioning: {len(report.created)} created, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.drift)} with drift, "
        f"{len(report.errors)} errors"
    )


def all_consumers() -> Sequence[ConsumerSpec]:
    try:
        from langnghe.contracts.consumers import ALL_CONSUMERS
    except ImportError as exc:
        raise RuntimeError(
            "langnghe.contracts.consumers.ALL_CONSUMERS cannot be imported, so the durable "
            f"consumers are unknown and nothing was provisioned ({exc})"
        ) from exc
    return ALL_CONSUMERS


async def provision_nats(nats_url: str, *, replicas: int = 1, dry_run: bool = False) -> ProvisionReport:
    from langnghe.runtime.provisioning import provision

    consumers = list(all_consumers())
    servers = [url.strip() for url in nats_url.split(",")]
    failures: list[str] = []

    async def note(exc: Exception) -> None:  # instead of nats-py's traceback per attempt
        failures.append(f"{type(exc).__name__}: {exc}")

    try:
        # Defaults would retry each server 60 times, 2 s apart, before giving up.
        nc = await nats.connect(
            servers,
            connect_timeout=5,
            allow_reconnect=False,
            max_reconnect_attempts=2,
            reconnect_time_wait=1,
            error_cb=note,
            name="langnghe-provision",
        )
    except nats.errors.NoServersError:
        raise RuntimeError(
            f"cannot connect to NATS at {nats_url}: {failures[-1] if failures else 'no answer'}"
        ) from None
    try:
        return await provision(nc.jetstream(), consumers, replicas=replicas, dry_run=dry_run)
    finally:
        await nc.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--nats-url", help="default: $LN_PROVISION_NATS_URL")
    parser.add_argument(
        "--replicas",
        type=int,
        help="1 embedded, 3 or 5 in production (default: $LN_PROVISION_REPLICAS, else 1)",
    )
    parser.add_argument("--dry-run", action="store_true", help="change nothing, report only")


def run(args: argparse.Namespace) -> int:
    """Provision with the parsed flags (over the environment); print the report; the exit code."""
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


DESCRIPTION = "Create or update streams and durable consumers; report drift."
FLAGS_NOTE = "Flags override LN_PROVISION_NATS_URL and LN_PROVISION_REPLICAS."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="langnghe-provision", description=f"{DESCRIPTION} {FLAGS_NOTE}")
    add_arguments(parser)
    return run(parser.parse_args(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    raise SystemExit(main())
