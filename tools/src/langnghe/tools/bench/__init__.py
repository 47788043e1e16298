"""`langnghe bench`: how fast the embedded system is, next to the raw limits of its parts.

One run, one nats-server (`sync_interval: always`, provisioned like production):

1. Raw limits: synchronous JetStream publishes from one Python client on a scratch stream
   configured like the event store, measured first and again after the system run (each
   publish waits for an fsync, whose rate drifts within a run by a quarter or more: the
   figures are compared with the better of the two, the stricter limit); an ordered consumer
   replaying N stored events into a plain table with executemany (1000 rows, one transaction
   per batch), on SQLite and on PostgreSQL, before and after the rebuild (the better of the
   two, for the same reason).
2. Our figures: `JetStreamEventStore.append` (one event, and atomic batches of three);
   petitions/s end to end (HTTP submit until reporting shows them) with the four services as
   separate processes; submit-to-visible latency at a fixed rate, open loop; the reporting
   projection's rebuild on both databases, started over reporting's HTTP API and timed by
   reporting itself (it receives the stream in a helper process); each service's RSS at rest.

The end-to-end rate is a capacity: the most petitions/s the system sustains. With too few
submissions in flight a closed loop measures its own round trips instead (the machine has
idle CPU and the rate still grows with more in flight), so short probes first double the
number in flight from 24 until the rate stops growing by 5 %, and the sustained run uses the
smallest number that reached 90 % of the best probe (the knee: near the most throughput, at
the least latency). Every probe is printed and kept in the JSON; `--concurrency N` skips
the probes.

Every figure is printed next to its raw limit, with the ratio and PASS/MISS against its
target, and everything is written as JSON together with the environment and the CPU each
process used in each phase (what other programs used on the machine meanwhile is reported:
on 2 cores it skews everything).

The load generator shares the machine with what it measures, so by default it is light: a
minimal keep-alive HTTP/1.1 client (`--client httpx` for httpx), and the latency run finds a
petition in reporting's read model with one query every 5 ms for all petitions in flight,
then confirms it with one GET (`--probe http` polls GET every 5 ms per petition, which
loads reporting with the measurement itself).

The benchmark starts the services as processes and talks to them over their HTTP APIs; it
imports none of them. The raw limits, which measure nats-server and the databases directly,
use nats-py and the shared packages; the latency probe "db" reads reporting's SQLite file as
any SQL reader would. Modules: `cli` (arguments), `plan` (phase lengths), `run` (the run and
its phases), `raw_limits`, `store_append`, `rebuild`, `system` (the services as processes),
`load` (end to end), `latency`, `memory`, `cpu`, `figures` and `report` (the table and the
JSON), `sample` (the petitions and events it sends), `http_client`, `environment`, `postgres`.
"""
