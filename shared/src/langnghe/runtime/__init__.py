"""Plumbing every service would otherwise copy: settings, logging, database, event store,
consumer runner, provisioning, health."""
