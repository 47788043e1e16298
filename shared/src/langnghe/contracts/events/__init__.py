"""Event payload models, one module per aggregate."""
