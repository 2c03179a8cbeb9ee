"""The benchmark suite: how fast sendesk answers on a synthetic school of 2,000, 20,000 or
60,000 pupils, with the cost of encryption shown beside each read.

Run it with `./dev bench` (or `python -m benchmarks` inside the virtual environment); see
docs/performance.md for the figures and what they mean. Timings belong here, never in the
unit tests, because they depend on the machine.
"""
