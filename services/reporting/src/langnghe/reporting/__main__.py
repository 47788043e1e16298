"""`python -m langnghe.reporting`: run the reporting service with settings from `LN_REPORTING_*`."""

from langnghe.reporting.app import create_app
from langnghe.reporting.settings import ReportingSettings
from langnghe.runtime.serve import serve


def main() -> None:
    serve(ReportingSettings, create_app)


if __name__ == "__main__":
    main()
