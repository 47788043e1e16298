"""`langnghe token`: a bearer token of the embedded issuer, for scripts; `--rotate` rotates
its signing key."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from langnghe.runtime.auth import Role
from langnghe.tools.issuer.keyring import MAX_TTL_S, jwks_path, rotate
from langnghe.tools.issuer.mint import DEFAULT_TTL_S, mint_token


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="langnghe token",
        description="Print a bearer token signed by the embedded issuer of a data directory "
        "(the one `langnghe up` uses), or rotate its signing key. Example: "
        'curl -H "Authorization: Bearer $(langnghe token --role clerk --unit 01)" …',
    )
    parser.add_argument("--data-dir", type=Path, default=Path("./var"), help="default: ./var")
    parser.add_argument("--role", choices=[r.value for r in Role if r is not Role.PUBLIC])
    parser.add_argument("--unit", metavar="CODE", help="a current province or commune code, e.g. 01")
    parser.add_argument("--agency", metavar="CODE", help="the agency code (agency_officer only)")
    parser.add_argument("--subject", help="the token's sub (default: local-<role>-<unit>[-<agency>])")
    parser.add_argument(
        "--ttl",
        type=int,
        default=DEFAULT_TTL_S,
        metavar="S",
        help=f"seconds, 1-{MAX_TTL_S}; default {DEFAULT_TTL_S}",
    )
    parser.add_argument(
        "--rotate",
        action="store_true",
        help="make a new signing key; tokens of the old one stay valid until they expire",
    )
    return parser


def main_token(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    data_dir: Path = args.data_dir.expanduser().resolve()
    if args.rotate:
        kid = rotate(data_dir)
        print(f"new signing key {kid}; JWKS {jwks_path(data_dir)}", file=sys.stderr)
        if args.role is None:
            return 0
    if args.role is None or args.unit is None:
        parser.error("--role and --unit are required (or --rotate alone)")
    if args.agency is not None and args.role != Role.AGENCY_OFFICER.value:
        parser.error("--agency is for --role agency_officer only")
    try:
        token = mint_token(data_dir, args.role, args.unit, args.agency, args.subject, args.ttl)
    except ValueError as exc:
        print(f"langnghe token: {exc}", file=sys.stderr)
        return 2
    print(token)
    return 0
