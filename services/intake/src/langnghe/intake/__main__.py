"""`python -m langnghe.intake`: run the intake service with settings from the environment."""

from __future__ import annotations

import uvicorn

from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings


def main() -> None:
    settings = IntakeSettings()  # type: ignore[call-arg]  # read from LN_INTAKE_* at the edge
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.graceful_timeout),
    )


if __name__ == "__main__":
    main()
