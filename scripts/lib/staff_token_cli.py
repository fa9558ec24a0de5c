"""``./scripts/staff-token``: print a token for the local stack's staff console and admin API."""

from __future__ import annotations

import argparse
import sys

from scripts.lib.staff_tokens import LocalIssuer

ROLES = ("officer", "handler", "supervisor")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./scripts/staff-token", description=__doc__)
    parser.add_argument(
        "--role", required=True, choices=ROLES, action="append", help="repeat for several roles"
    )
    parser.add_argument("--name", required=True, help="the staff member's display name")
    parser.add_argument("--department", help="department code (required for handlers; see GET /meta)")
    parser.add_argument("--hours", type=float, default=10.0, help="validity (default 10: a working day)")
    args = parser.parse_args(argv)
    if "handler" in args.role and not args.department:
        parser.error("a handler needs --department")
    token = LocalIssuer().token(
        roles=args.role, name=args.name, department=args.department, lifetime_seconds=int(args.hours * 3600)
    )
    sys.stdout.write(token + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
