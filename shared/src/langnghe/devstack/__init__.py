"""Developer tooling: the `langnghe` command, which runs the whole system on one machine
(the embedded default: nats-server, provisioning and the four services, supervised) and
provisions streams and consumers in any deployment."""
