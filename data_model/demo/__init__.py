"""Demo data (deterministic, matching the source report) and synthetic records for benchmarks."""
