"""Modules that exist only for speed, kept behind one boundary.

Each module here opens with three things: why it exists, what it bought (the figure measured
when it came in) and how to remove it. The rest of the runtime and the services call only
their functions (`insert_many`, `update_many`, `copy_many`, `replay_via_helper`, `tune_gc`),
so removing one means putting back what its docstring names, nothing else.

This file imports nothing: the replay helper runs as `python -m
langnghe.runtime.speedups.replay_helper` and must start light.
"""
