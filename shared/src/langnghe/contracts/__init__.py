"""What crosses the wire between Lắng Nghe services: event models, the envelope, subjects.

No I/O lives here. Everything is importable by any service and by outside subscribers.
"""
