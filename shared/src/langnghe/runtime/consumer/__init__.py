"""The consumer runner every service uses to apply events from a durable pull consumer
(runner.py; its docstring gives the rules), with what it is handed (incoming.py), which
failures it waits out (failures.py), its acks (acks.py) and the operator's re-drive
(redrive.py)."""

from langnghe.runtime.consumer.failures import TRANSIENT_ERRORS, is_transient
from langnghe.runtime.consumer.incoming import EventHandler, Incoming, RangeReader, VoidLookup
from langnghe.runtime.consumer.runner import ConsumerRunner, RunnerStats

__all__ = [
    "TRANSIENT_ERRORS",
    "ConsumerRunner",
    "EventHandler",
    "Incoming",
    "RangeReader",
    "RunnerStats",
    "VoidLookup",
    "is_transient",
]
