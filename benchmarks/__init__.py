"""The project's benchmark runs: their results, and the harness that produced them
(:mod:`benchmarks.harness`). Run from the repository; not installed with xpnet."""
