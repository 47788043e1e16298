"""`langnghe void STREAM SEQ --reason "..."`: void a quarantined message.

It writes the audited marker straight to NATS (the same code as every service's
`POST /ops/void`: langnghe.runtime.eventstore.voids), so it works with every service down;
the log keeps the message. Then it asks each service running on this machine to apply the
void (`POST /ops/void` again: idempotent), which re-drives the aggregates its consumers had
parked because of the message. A service that does not answer re-drives later, from its own
`/ops/parked` (`langnghe ops redrive ...`); its consumers and loads skip the message anyway.

Which messages are quarantined: `langnghe ops quarantine --service tracking` (each service
lists what it met). See docs/ARCHITECTURE.md, "Quarantine and void".
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

import httpx
import nats
import nats.errors

from langnghe.domain.errors import DomainError
from langnghe.runtime.eventstore.voids import VOIDABLE_STREAMS, void_message
from langnghe.runtime.settings import DEFAULT_HTTP_PORTS, DEFAULT_NATS_PORT
from langnghe.tools.issuer import operator_headers


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="langnghe void", description=__doc__.split("\n\n")[0])
    parser.add_argument("stream", help=f"the stream ({', '.join(VOIDABLE_STREAMS)})")
    parser.add_argument("seq", type=int, help="the quarantined message's stream sequence")
    parser.add_argument("--reason", required=True, help="why it is voided (kept in the marker)")
    parser.add_argument("--actor", help="who voids it (default: $LN_ACTOR, else the login name)")
    parser.add_argument(
        "--nats-url", help=f"default: $LN_NATS_URL, else nats://127.0.0.1:{DEFAULT_NATS_PORT}"
    )
    parser.add_argument("--host", default="127.0.0.1", help="where the services run (default: 127.0.0.1)")
    parser.add_argument("--no-redrive", action="store_true", help="only write the marker")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("./var"),
        help="whose embedded issuer signs the ops token of the re-drive calls (default ./var); "
        "$LN_TOKEN, when set, is sent instead",
    )
    return parser


async def _write(nats_url: str, args: argparse.Namespace, actor: str) -> dict[str, Any]:
    nc = await nats.connect(
        servers=[u.strip() for u in nats_url.split(",")], connect_timeout=3, max_reconnect_attempts=1
    )
    try:
        marker, written = await void_message(
            nc.jetstream(), stream=args.stream, seq=args.seq, reason=args.reason, actor=actor
        )
    finally:
        await nc.close()
    return {**marker.model_dump(mode="json"), "written": written}


def _apply_in_services(args: argparse.Namespace, actor: str) -> dict[str, Any]:
    body = {"stream": args.stream, "seq": args.seq, "reason": args.reason}
    out: dict[str, Any] = {}
    for service, port in DEFAULT_HTTP_PORTS.items():
        url = f"http://{args.host}:{port}/ops/void"
        try:
            headers = {"X-Actor-Ref": actor, **operator_headers(args.data_dir.expanduser().resolve())}
            r = httpx.post(url, json=body, headers=headers, timeout=60)
        except httpx.HTTPError:
            out[service] = "not running here: re-drive its parked aggregates later"
            continue
        out[service] = r.json().get("redriven", []) if r.is_success else r.json()
    return out


def main_void(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    actor = args.actor or os.environ.get("LN_ACTOR") or getpass.getuser()
    if len(args.reason.strip()) < 3:
        print("langnghe void: give a reason (at least 3 characters)", file=sys.stderr)
        return 2
    nats_url = args.nats_url or os.environ.get("LN_NATS_URL") or f"nats://127.0.0.1:{DEFAULT_NATS_PORT}"
    try:
        result = asyncio.run(_write(nats_url, args, actor))
    except DomainError as exc:
        print(f"langnghe void: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    except (OSError, nats.errors.Error) as exc:
        print(f"langnghe void: NATS at {nats_url}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if not args.no_redrive:
        result["services"] = _apply_in_services(args, actor)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
