"""`metrics rebuild`: the revenue metrics recomputed from the stored history and compared with the
aggregates the event consumer kept (docs/metrics.md). Prints `agree` and every counter that differs."""


def register(subparsers) -> None:
    group = subparsers.add_parser("metrics", help="revenue metrics")
    commands = group.add_subparsers(dest="command", required=True)
    rebuild = commands.add_parser("rebuild", help="recompute from the stored history and compare")
    rebuild.set_defaults(func=rebuild_command)


def rebuild_command(args) -> dict:
    from chalicelib.wiring import container

    return container().metrics_rebuild.run()
