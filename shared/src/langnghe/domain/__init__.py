"""Pure domain knowledge shared by the services: legal clocks, administrative units and
agencies, fields of concern. No asyncio, no FastStream, no SQLAlchemy, no I/O at import."""
