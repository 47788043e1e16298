from langnghe.runtime.migrations import run_env
from langnghe.tracking.adapters.tables import metadata

run_env(metadata)
