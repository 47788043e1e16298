"""Run a service's ASGI app with uvicorn: the body of every `python -m langnghe.<service>`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from langnghe.runtime.settings import ServiceSettings
from langnghe.runtime.speedups.gc_tuning import tune_gc

S = TypeVar("S", bound=ServiceSettings)


def serve(settings_cls: type[S], create_app: Callable[[S], FastAPI]) -> None:
    settings = settings_cls()  # read from the environment, at the edge
    app = create_app(settings)
    tune_gc()
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.graceful_timeout),
    )
