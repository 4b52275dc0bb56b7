"""Revenue metrics (docs/metrics.md): the consumer of the domain events that keeps the daily
aggregates, the monthly report read from them, and the rebuild from the stored history. It reads the
other contexts' events and records, so it sits above them all."""
