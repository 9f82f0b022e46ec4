"""Reads dropline's TensorBoard event files with TensorBoard's own reader (a manual check).

    python3 -m venv /tmp/tb && /tmp/tb/bin/pip install --no-index --find-links DIR tensorboard
    /tmp/tb/bin/python scripts/check_tensorboard.py cache/logs/<run>/tensorboard

Prints each stage (a TensorBoard run) with its scalar tags and the (step, value) pairs of the
first tag, and exits 1 when a directory holds no scalars.
"""
import sys

from tensorboard.backend.event_processing.event_multiplexer import EventMultiplexer

multiplexer = EventMultiplexer()
multiplexer.AddRunsFromDirectory(sys.argv[1])
multiplexer.Reload()
runs = multiplexer.Runs()
for run in sorted(runs):
    tags = runs[run]["scalars"]
    if not tags:
        sys.exit(f"{run}: no scalars")
    first = sorted(tags)[0]
    points = [(e.step, round(e.value, 4)) for e in multiplexer.Scalars(run, first)]
    print(f"{run}: {len(tags)} tags ({', '.join(sorted(tags))}); {first}: {points}")
if not runs:
    sys.exit(f"No event files under {sys.argv[1]}")
