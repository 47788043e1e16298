"""Generated documentation: complete, AsyncAPI 3, and the committed copy is never stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langnghe.contracts.schemas import event_schemas
from langnghe.tools.docs import generate, main_docs, read_generated

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "tracking", "notify", "reporting")
SCHEMAS = (
    "conference.announced.v1",
    "conference.cancelled.v1",
    "conference.concluded.v1",
    "conference.held.v1",
    "conference.opinion_linked.v1",
    "conference.plan_set.v1",
    "conference.postponed.v1",
    "conference.results_published.v1",
    "conference.scheduled.v1",
    "petition.absorbed_duplicate.v1",
    "petition.accepted.v1",
    "petition.answer_published.v1",
    "petition.answered.v1",
    "petition.assigned.v1",
    "petition.became_due_soon.v1",
    "petition.became_overdue.v1",
    "petition.closed.v1",
    "petition.deadline_extended.v1",
    "petition.disposed_at_conference.v1",
    "petition.escalated.v1",
    "petition.feedback_given.v1",
    "petition.merged_into.v1",
    "petition.reassigned.v1",
    "petition.received.v1",
    "petition.reopened.v1",
    "petition.withdrawn.v1",
    "supervision.findings_recorded.v1",
    "supervision.held.v1",
    "supervision.planned.v1",
    "supervision.recommendation_issued.v1",
    "timer.fired.v1",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    assert main_docs(["--out", str(out)]) == 0
    return out


def test_generation_writes_every_document(generated: Path) -> None:
    written = sorted(p.relative_to(generated).as_posix() for p in generated.rglob("*") if p.is_file())
    assert written == sorted(
        [f"asyncapi/{s}.json" for s in SERVICES]
        + [f"openapi/{s}.json" for s in SERVICES]
        + [f"schemas/{name}.json" for name in SCHEMAS]
        + ["asyncapi/oversight.json"]
        + [f"schemas/oversight/{kind}.v1.json" for kind in ("conference", "petition", "supervision")]
    )
    assert sorted(event_schemas()) == list(SCHEMAS)


def test_event_schemas_are_written_as_exported(generated: Path) -> None:
    for name, schema in event_schemas().items():
        text = (generated / "schemas" / f"{name}.json").read_text(encoding="utf-8")
        assert json.loads(text) == schema
        assert text.endswith("}\n")


@pytest.mark.parametrize("service", SERVICES)
def test_asyncapi_documents_are_version_3(generated: Path, service: str) -> None:
    doc = json.loads((generated / "asyncapi" / f"{service}.json").read_text(encoding="utf-8"))
    assert doc["asyncapi"] == "3.0.0"
    assert doc["info"]["title"] == f"Lắng Nghe {service}"
    assert doc["servers"]["development"]["host"] == "127.0.0.1:14222"


@pytest.mark.parametrize("service", ["tracking", "notify", "reporting"])
def test_consuming_services_document_a_petition_events_channel(generated: Path, service: str) -> None:
    doc = json.loads((generated / "asyncapi" / f"{service}.json").read_text(encoding="utf-8"))
    addresses = [channel["address"] for channel in doc["channels"].values()]
    assert any(a.startswith("petitions.events") for a in addresses), addresses


def test_intake_documents_what_it_publishes(generated: Path) -> None:
    doc = json.loads((generated / "asyncapi" / "intake.json").read_text(encoding="utf-8"))
    assert doc["operations"]["petition.received"]["action"] == "send"
    assert doc["channels"]["petition.received"]["address"] == "petitions.events.{province_code}.{petition_id}"


@pytest.mark.parametrize("service", SERVICES)
def test_openapi_documents_describe_each_service(generated: Path, service: str) -> None:
    doc = json.loads((generated / "openapi" / f"{service}.json").read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == f"Lắng Nghe — {service}"
    assert doc["paths"]


def test_tracking_openapi_has_the_agency_commands(generated: Path) -> None:
    doc = json.loads((generated / "openapi" / "tracking.json").read_text(encoding="utf-8"))
    assert {"/v1/petitions/{petition_id}/assign", "/v1/petitions/{petition_id}/answer"} <= set(doc["paths"])


def test_committed_docs_are_up_to_date() -> None:
    committed = read_generated(ROOT / "docs")
    fresh = generate()
    assert sorted(committed) == sorted(fresh), "run `langnghe docs` and commit docs/"
    stale = [path for path in fresh if committed[path] != fresh[path]]
    assert stale == [], "run `langnghe docs` and commit docs/"


def test_check_reports_stale_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main_docs(["--out", str(tmp_path), "--check"]) == 1
    assert main_docs(["--out", str(tmp_path)]) == 0
    assert main_docs(["--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "openapi" / "notify.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "petition.no_such_event.v1.json").write_text("{}\n", encoding="utf-8")
    capsys.readouterr()
    assert main_docs(["--out", str(tmp_path), "--check"]) == 1
    report = capsys.readouterr().out
    assert "openapi/notify.json" in report
    assert "petition.no_such_event.v1.json" in report
    assert "2 stale of 43 generated files" in report


def test_regeneration_rewrites_stale_and_removes_unknown_files(tmp_path: Path) -> None:
    main_docs(["--out", str(tmp_path)])
    (tmp_path / "openapi" / "notify.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "petition.no_such_event.v1.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("hand-written\n", encoding="utf-8")
    assert main_docs(["--out", str(tmp_path)]) == 0
    assert read_generated(tmp_path) == generate()
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "hand-written\n"
