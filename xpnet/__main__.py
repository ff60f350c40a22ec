"""``python -m xpnet``: the command line."""

from .cli import main

raise SystemExit(main())
