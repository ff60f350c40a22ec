"""``python -m benchmarks.harness``: see :mod:`benchmarks.harness.runner`."""

import sys

from .runner import main

sys.exit(main())
