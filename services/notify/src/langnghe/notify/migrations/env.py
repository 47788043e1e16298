from langnghe.notify.adapters.tables import metadata
from langnghe.runtime.migrations import run_env

run_env(metadata)
