"""Shared pieces of the benchmark scripts: processes, tools, load generation, tables, plots."""
