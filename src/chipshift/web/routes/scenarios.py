"""Scenarios: list, read, check, run, compare; save and delete (these need the write token)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from chipshift import api
from chipshift.api import answers
from chipshift.web import compute, scenarios
from chipshift.web.errors import ApiError
from chipshift.web.models import CompareRequest, RunRequest, SaveRequest, ScenarioDoc, Side
from chipshift.web.routes import errors_doc
from chipshift.web.routes.analysis import FIELDS, resolve
from chipshift.web.runtime import JSONBytes, encode
from chipshift.web.scenarios import SCENARIO_REFERENCE, ScenarioArg
from chipshift.web.state import AppState, require_write, state

router = APIRouter(tags=["scenarios"])
State = Annotated[AppState, Depends(state)]
Ref = Annotated[str, Path(min_length=1, max_length=120, description="'baseline', 'example:NAME' or 'saved:ID'",
                          json_schema_extra={"pattern": SCENARIO_REFERENCE})]
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


def _side(s: AppState, side: Side, field: str) -> tuple[ScenarioArg, str | None, str, str]:
    """The API argument, the scenario's own date, a label and a cache key for one side."""
    if side.scenario is not None and side.ref is not None:
        raise ApiError(422, f"field '{field or 'scenario'}': give either 'ref' or 'scenario', not both",
                       field or "scenario")
    if side.scenario is not None:
        document = side.scenario.document()
        return document, document["at"], side.scenario.name, scenarios.content_key(document)
    arg = resolve(s, side.ref, f"{field}.ref" if field else "ref")
    own_at = s.catalog.document(s.store, side.ref)["at"] if arg is not None and side.ref else None
    label = side.ref or "baseline"
    return arg, own_at, label, s.catalog.cache_key(side.ref)


def _when(*candidates: date | str | None) -> date:
    for c in candidates:
        if isinstance(c, date):
            return c
        if c:
            return date.fromisoformat(c)
    return date.today()


@router.get("/scenarios", response_model=answers.ScenarioListAnswer, responses=errors_doc(),
            summary="The baseline, the shipped example scenarios and the saved ones")
async def list_scenarios(s: State) -> JSONBytes:
    return await s.runner.json(("scenarios", s.catalog.cache_key(None)), lambda: s.catalog.listing(s.store))


@router.get("/scenarios/{ref}", response_model=answers.ScenarioDocument, responses=errors_doc(404),
            summary="One scenario as a document (what the builder edits)")
async def get_scenario(s: State, ref: Ref) -> JSONBytes:
    return await s.runner.json(("scenario", s.catalog.cache_key(ref)),
                               lambda: answers.ScenarioDocument.model_validate(s.catalog.document(s.store, ref)),
                               fields={"scenario": "ref"}, not_found_status=404)


@router.get("/scenarios/{ref}/yaml", response_class=Response,
            responses={200: {"content": {"application/yaml": {}}}, **errors_doc(404)},
            summary="One scenario as a scenario file (YAML download)")
async def scenario_yaml(s: State, ref: Ref) -> Response:
    document = await s.runner.run(lambda: s.catalog.document(s.store, ref), fields={"scenario": "ref"},
                                  not_found_status=404)
    return _yaml_response(document, ref.partition(":")[2] or ref)


@router.post("/scenarios/yaml", response_class=Response,
             responses={200: {"content": {"application/yaml": {}}}, **errors_doc()},
             summary="A scenario given in the body, as a scenario file (YAML download)")
async def body_yaml(s: State, body: ScenarioDoc) -> Response:
    return _yaml_response(body.document(), "scenario")


def _yaml_response(document: dict[str, Any], stem: str) -> Response:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in stem)[:60] or "scenario"
    return Response(scenarios.to_yaml(document), media_type="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{safe}.yaml"'})


@router.post("/scenarios/check", response_model=answers.ScenarioCheckAnswer, responses=errors_doc(),
             summary="Check a scenario against the store (422 naming the field of each problem)")
async def check_scenario(s: State, body: ScenarioDoc) -> JSONBytes:
    return await s.runner.json(None, lambda: api.check_scenario(s.store, body.document()))


@router.post("/scenarios/upload", response_model=answers.ScenarioUploadAnswer, responses=errors_doc(),
             openapi_extra={"requestBody": {"required": True, "content": {"application/yaml": {
                 "schema": {"type": "string"}}}}},
             summary="Read an uploaded scenario file (YAML): its document, or 422 naming line and field")
async def upload_scenario(s: State, request: Request) -> JSONBytes:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in YAML_TYPES:
        raise ApiError(422, f"field 'body': send the scenario file as application/yaml, not '{kind or 'nothing'}'",
                       "body")
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(422, "field 'body': the file is not UTF-8 text", "body") from None

    def answer() -> answers.ScenarioUploadAnswer:
        with tempfile.TemporaryDirectory(prefix="chipshift-upload-") as folder:
            path = FilePath(folder) / "upload.yaml"
            path.write_text(text, encoding="utf-8")
            try:
                scenario = api.load_scenario(s.store, path)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                # A file the reader's checks do not anticipate: still the client's input, not a server error.
                raise ApiError(422, f"field 'body': the scenario file cannot be read ({exc})", "body") from None
        return answers.ScenarioUploadAnswer.model_validate({"ok": True, "digest": scenario.digest,
                                                            "document": scenarios.plain_document(text)})

    return await s.runner.json(None, answer)


@router.post("/scenarios", status_code=201, dependencies=[Depends(require_write)],
             response_model=answers.SavedScenarioRecord, responses=errors_doc(401),
             summary="Save a scenario in the store (needs the write token)")
async def save_scenario(s: State, body: SaveRequest) -> JSONBytes:
    saved = await s.runner.write(lambda: scenarios.save(s.store, body.id, body.scenario.document()))
    return JSONBytes(encode(saved), status_code=201)


@router.delete("/scenarios/{scenario_id}", dependencies=[Depends(require_write)],
               response_model=answers.DeletedScenario, responses=errors_doc(401, 404),
               summary="Delete a saved scenario (needs the write token)")
async def delete_scenario(s: State, scenario_id: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
                          ) -> JSONBytes:
    deleted = await s.runner.write(lambda: s.store.delete_scenario(scenario_id))
    if not deleted:
        raise ApiError(404, f"scenario_id: no saved scenario '{scenario_id}'", "scenario_id")
    return JSONBytes(encode(answers.DeletedScenario(deleted=scenario_id)))


@router.post("/run", response_model=answers.ScenarioRunAnswer, responses=errors_doc(),
             summary="Run a scenario: exposure for a target at a date, beside the baseline, and what changed")
async def run(s: State, body: RunRequest) -> JSONBytes:
    async def call() -> compute.Call:
        arg, own_at, _, scenario_key = await s.runner.run(lambda: _side(s, body, ""), fields=FIELDS)
        return compute.Call(compute.scenario_run, (arg, scenario_key, body.target, _when(body.at, own_at),
                                                   body.segment))

    key = ("run", body.model_dump_json(), s.catalog.cache_key(body.ref), date.today())
    return await s.runner.compute(key, call, fields=FIELDS)


@router.post("/compare", response_model=answers.ScenarioComparisonAnswer, responses=errors_doc(),
             summary="Two scenarios side by side: differences by input, stage, country, firm and year")
async def compare_scenarios(s: State, body: CompareRequest) -> JSONBytes:
    async def call() -> compute.Call:
        (left, left_own, left_label, _), (right, right_own, right_label, _) = await s.runner.run(
            lambda: (_side(s, body.left, "left"), _side(s, body.right, "right")), fields=FIELDS)
        # each side at its own date: the one asked for it, else its scenario's, else the other side's
        left_at = _when(body.left.at, left_own, body.right.at, right_own)
        right_at = _when(body.right.at, right_own, body.left.at, left_own)
        # by default from three years before the earlier side's date to one after the later's: both sides' years,
        # whichever side is on the left
        first, last = sorted((left_at.year, right_at.year))
        years = body.years or list(range(first - 3, last + 2))
        return compute.Call(compute.compare_scenarios, (body.target, body.segment, left, left_at, right, right_at,
                                                        sorted(set(years)), (left_label, right_label)))

    key = ("compare", body.model_dump_json(), s.catalog.cache_key(body.left.ref), s.catalog.cache_key(body.right.ref),
           date.today())
    return await s.runner.compute(key, call, fields=FIELDS)
