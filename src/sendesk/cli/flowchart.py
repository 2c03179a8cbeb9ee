"""`sendesk-cli flowchart check FILE`: lets the people who draw a local authority's flowchart
check their file without the app. Each fault is printed on its own line; the exit status is 0
only when the file is sound."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import SendeskError
from ..models import flowchart as flowchart_mod
from .io import Secrets


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("flowchart", help="check a local authority's flowchart file")
    flow_sub = parser.add_subparsers(dest="flowchart_command", required=True, metavar="check")
    p = flow_sub.add_parser("check", help="check a flowchart file and name each fault")
    p.add_argument("file", type=Path)
    p.set_defaults(run=cmd_check)


def cmd_check(args: argparse.Namespace, secrets: Secrets) -> int:
    path: Path = args.file
    try:
        chart = flowchart_mod.load_file(path)
    except flowchart_mod.FlowchartError as exc:
        for fault in exc.faults:
            print(f"{path.name}: {fault}")
        count = len(exc.faults)
        raise SendeskError(f"{path.name} has {count} {'fault' if count == 1 else 'faults'}; "
                           "sendesk will not use it until they are fixed.") from None
    questions, outcomes = len(chart.questions), len(chart.outcomes)
    print(f"{path.name} is sound: '{chart.title}' ({chart.id}, version {chart.version}), "
          f"{questions} questions, {outcomes} outcomes, {chart.path_count()} routes from the "
          "start to an outcome.")
    return 0
