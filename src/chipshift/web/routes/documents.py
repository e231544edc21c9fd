"""Documents: read a pasted or uploaded article (claims, events, references, findings); store its claims
(write token)."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, Depends

from chipshift.api import answers, documents
from chipshift.ingest.kb import KnowledgeBase
from chipshift.web.errors import ApiError
from chipshift.web.models import IngestRequest
from chipshift.web.routes import errors_doc
from chipshift.web.runtime import JSONBytes, encode
from chipshift.web.state import AppState, require_write, state

router = APIRouter(tags=["documents"])
State = Annotated[AppState, Depends(state)]
FIELDS = {"*": "text"}


def _about_text(exc: ApiError) -> ApiError:
    """A problem of the document itself (empty, binary, no readable text) is about the field 'text'."""
    if exc.field is None:
        exc.field = "text"
        exc.message = f"field 'text': {exc.message}"
    return exc


@router.post("/ingest", response_model=answers.IngestAnswer, responses=errors_doc(),
             summary="Read a document (read-only): claim ledger, events, references, findings, loaded language")
async def ingest(s: State, body: IngestRequest) -> JSONBytes:
    def kb() -> KnowledgeBase:
        value: KnowledgeBase = s.runner.memo("ingest-kb", lambda: KnowledgeBase.from_store(s.store))
        return value

    def answer() -> answers.IngestAnswer:
        return documents.analyse(kb, body.text, body.name, body.url, body.date, body.kind)

    key = ("ingest", hashlib.sha256(body.model_dump_json().encode()).hexdigest())
    try:
        return await s.runner.json(key, answer, fields=FIELDS)
    except ApiError as exc:
        raise _about_text(exc) from None


@router.post("/ingest/accept", status_code=201, dependencies=[Depends(require_write)],
             response_model=answers.IngestAnswer, responses=errors_doc(401),
             summary="Read a document and store its claims and candidate rules, unreviewed (needs the write token, "
                     "the document's url and date)")
async def ingest_accept(s: State, body: IngestRequest) -> JSONBytes:
    try:
        answer = await s.runner.write(lambda: documents.accept(s.store, body.text, body.name, body.url, body.date,
                                                               body.kind), fields=FIELDS)
    except ApiError as exc:
        raise _about_text(exc) from None
    return JSONBytes(encode(answer), status_code=201)
