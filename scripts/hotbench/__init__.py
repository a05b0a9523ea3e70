"""hotbench: run C++ benchmark suites and turn their results into CSV, comparisons and reports.

Data flows one way: datasets -> benchmark binaries -> raw Google Benchmark JSON (gbench.py) ->
tidy CSV (tidy.py) -> compare / check / plots / HTML. The result-set layout and every CSV column
are documented in docs/results-format.md.
"""

SCHEMA_VERSION = 1
