"""`python -m langnghe.tracking`: run the tracking service with settings from `LN_TRACKING_*`."""

from langnghe.runtime.serve import serve
from langnghe.tracking.app import create_app
from langnghe.tracking.settings import TrackingSettings


def main() -> None:
    serve(TrackingSettings, create_app)


if __name__ == "__main__":
    main()
