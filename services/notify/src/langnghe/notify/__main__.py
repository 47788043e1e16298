"""`python -m langnghe.notify`: run the notify service with settings from `LN_NOTIFY_*`."""

from langnghe.notify.app import create_app
from langnghe.notify.settings import NotifySettings
from langnghe.runtime.serve import serve


def main() -> None:
    serve(NotifySettings, create_app)


if __name__ == "__main__":
    main()
