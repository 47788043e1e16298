"""What developers and operators run and no service does: the `langnghe` command (the launcher
that runs the whole system on one machine, provisioning, operator calls), the demo data, the
docs generator, the benchmark, the data builders and the field suggestion and evaluation.

A distribution of its own (`langnghe-tools`), never installed in a service image. It may
import the shared runtime and the services; nothing imports it."""
