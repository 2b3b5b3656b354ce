"""benchmarks.memory: the sampler finds the children of a process and sums their memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.memory import TreeSampler, rss_bytes, tree

#: A child that holds about 40 MB for a moment, so the sum must exceed the parent alone.
CHILD = "b = bytearray(40 * 1024 * 1024); import time; time.sleep(1.0)"


def test_tree_holds_the_children_of_a_process():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert {os.getpid(), child.pid} <= set(tree(os.getpid()))
    finally:
        child.kill()
        child.wait()


def test_peak_counts_a_child_that_has_ended():
    own = rss_bytes(os.getpid())
    with TreeSampler(os.getpid(), interval=0.02) as sampler:
        subprocess.run([sys.executable, "-c", CHILD], check=True)
        time.sleep(0.05)
    assert sampler.peak.processes >= 2
    assert sampler.peak.rss_sum >= own + 35 * 1024 * 1024
    assert sampler.peak.rss_one >= 35 * 1024 * 1024


def test_a_gone_process_has_no_memory():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert rss_bytes(child.pid) == 0
