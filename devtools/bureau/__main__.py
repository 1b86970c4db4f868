"""`python -m devtools.bureau`: the same as `zhilv bureau-sim`, with a faster start."""

from devtools.bureau.cli import bureau_sim

bureau_sim()
