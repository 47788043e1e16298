"""`langnghe ops`: the operator endpoints of a running service, from a terminal.

langnghe ops consumers --service reporting      positions, lag, retries, parked counts
langnghe ops parked --service notify            aggregates parked after failing events
langnghe ops redrive CONSUMER AGGREGATE --service notify
langnghe ops quarantine --service tracking      messages it met and cannot apply (then `langnghe void`)
langnghe ops rebuild                            rebuild reporting's projection, then switch
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import httpx

from langnghe.runtime.settings import DEFAULT_HTTP_PORTS
from langnghe.tools.issuer import operator_headers


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="langnghe ops", description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", choices=sorted(DEFAULT_HTTP_PORTS), default="reporting")
    parser.add_argument("--base-url", help="default: http://127.0.0.1:<the service's default port>")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path("./var"),
        help="whose embedded issuer signs an ops token (default ./var); $LN_TOKEN, when set, is sent instead",
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("consumers", help="consumer positions and lag")
    sub.add_parser("parked", help="parked aggregates")
    sub.add_parser("quarantine", help="messages the service met and cannot apply")
    redrive = sub.add_parser("redrive", help="re-apply a parked aggregate's events")
    redrive.add_argument("consumer")
    redrive.add_argument("aggregate_id")
    sub.add_parser("rebuild", help="rebuild reporting's petition view into fresh tables")
    return parser


def main_ops(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    service = "reporting" if args.action == "rebuild" else args.service
    base = args.base_url or f"http://127.0.0.1:{DEFAULT_HTTP_PORTS[service]}"
    method, path = {
        "consumers": ("GET", "/ops/consumers"),
        "parked": ("GET", "/ops/parked"),
        "quarantine": ("GET", "/ops/quarantine"),
        "rebuild": ("POST", "/ops/projections/reporting-petitions/rebuild"),
    }.get(
        args.action,
        ("POST", f"/ops/parked/{getattr(args, 'consumer', '')}/{getattr(args, 'aggregate_id', '')}/redrive"),
    )
    try:
        headers = operator_headers(args.data_dir.expanduser().resolve())
        response = httpx.request(method, base + path, headers=headers, timeout=600)
    except httpx.HTTPError as exc:
        print(f"langnghe ops: {service} does not answer at {base}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(response.json(), ensure_ascii=False, indent=2))
    return 0 if response.is_success else 1
