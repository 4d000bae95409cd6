"""``python -m services.contract_documents write|check``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from services.contract_documents import CONTRACTS, REGENERATE, drifted, write


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.contract_documents",
        description="Write or check contracts/openapi.json and contracts/asyncapi.json")
    parser.add_argument("action", choices=("write", "check"),
                        help="write: regenerate the files; check: exit 1 if one drifted")
    parser.add_argument("--folder", type=Path, default=CONTRACTS,
                        help="where the documents are (default: contracts/)")
    args = parser.parse_args(argv)
    if args.action == "write":
        for path in write(args.folder):
            print(f"wrote {path}")
        return 0
    problems = drifted(args.folder)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"regenerate with `{REGENERATE}` and commit the result / 请运行 `{REGENERATE}` "
              "重新生成并提交", file=sys.stderr)
        return 1
    print("contracts/openapi.json and contracts/asyncapi.json match the code / 与代码一致")
    return 0


if __name__ == "__main__":
    sys.exit(main())
