"""``ninbai`` on today's code with the packets taken out: the fair "without" of benchmarks.packets.

Issue 14 bounds what the packets cost: the batch with them at most 10% more CPU than without.
A tree from before the packets existed (d0cdf88) lacks more than the packets: everything built
since (rounds and the change table, break-even prices, deadlines …) would count against them.
This entry point runs today's ``ninbai`` with the packet stage replaced by nothing — no 添付
folder read, no scan checked, no 送付状 and no packet written — by replacing two functions
before the batch forks its workers (which inherit the replacement). The letters are today's,
except that their 添付書類 line lists no scans.

For measuring only: nothing in the pipeline turns the packets off (a month without 送付状 is not
a thing staff can ask for). Usage: ``python -m benchmarks.without_packets build …`` with the
repository on ``PYTHONPATH`` (benchmarks.packets does this for ``--variant NAME=@without-packets``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.attach.case import CaseAttachments
from pipeline.batch import casebuild, packets
from pipeline.config import Config
from pipeline.read.models import Case
from pipeline.read.workbook import RawWorkbook


def no_attachments(source: Path, case: Case, raw: RawWorkbook | None, config: Config
                   ) -> CaseAttachments:
    """The attachment stage without its work: no scans, no issues."""
    return CaseAttachments((), {}, {}, ())


def no_packets(*args: Any, **kwargs: Any) -> packets.CasePackets:
    """The packet stage without its work: no 送付状, no packet."""
    return packets.CasePackets({}, [], [], [])


def take_out_packets() -> None:
    """Replace the two stages in this process (and so in the workers it forks)."""
    casebuild._attachments = no_attachments
    packets.build_packets = no_packets


def main() -> None:
    take_out_packets()
    from pipeline.cli import main as ninbai

    ninbai()


if __name__ == "__main__":
    main()
