"""``python3 -m benchmarks.coverage``: see run.py."""

from .run import main

if __name__ == "__main__":
    raise SystemExit(main())
