"""`python -m langnghe.intake`: run the intake service with settings from `LN_INTAKE_*`."""

from langnghe.intake.app import create_app
from langnghe.intake.settings import IntakeSettings
from langnghe.runtime.serve import serve


def main() -> None:
    serve(IntakeSettings, create_app)


if __name__ == "__main__":
    main()
