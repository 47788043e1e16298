from langnghe.runtime.migrations import run_env

# The petition view's tables are per generation and created by the projection itself
# (they are disposable: rebuilt from the stream); Alembic manages the durable tables.
run_env(None)
