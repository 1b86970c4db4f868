"""`python -m app.bureau_sim`: the same as `zhilv bureau-sim`, with a faster start."""

from app.bureau_sim.cli import bureau_sim

bureau_sim()
