"""Documents: upload (as a job), list, open the original, delete."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Request, Response, UploadFile
from fastapi.responses import FileResponse, JSONResponse

from hanrag.api.deps import get_index, get_jobs, require_key
from hanrag.api.uploads import receive
from hanrag.errors import NotFoundError, UnsupportedTypeError
from hanrag.index import Index
from hanrag.jobs import JobQueue

router = APIRouter(prefix="/documents", tags=["documents"], dependencies=[Depends(require_key)])

_DELETE_WAIT_S = 30.0


@router.post("", status_code=202)
async def upload(
    request: Request, files: list[UploadFile] = File(..., description="one or more documents"),
    jobs: JobQueue = Depends(get_jobs),
) -> dict[str, str]:
    """Queue the files for indexing; follow the job at GET /jobs/{job_id}."""
    limit = int(request.app.state.index.settings.server.max_upload_mb * 1e6)
    uploads = await receive(files, jobs.directory / "incoming", limit)
    if all(u.error for u in uploads):  # nothing to index: say so now rather than in a failed job
        raise UnsupportedTypeError(uploads[0].error if len(uploads) == 1 else
                                   f"none of the {len(uploads)} files is a supported document ({uploads[0].error})")
    return {"job_id": jobs.submit_uploads(uploads)}


@router.get("")
def list_documents(index: Index = Depends(get_index)) -> list[dict[str, Any]]:
    return [d.to_dict() for d in index.documents()]


@router.get("/{doc_id}/file")
def original_file(doc_id: str, index: Index = Depends(get_index), jobs: JobQueue = Depends(get_jobs)) -> FileResponse:
    """The original file, shown inline (a PDF opens at ``#page=N``)."""
    document = index.document(doc_id)
    kept = jobs.original(doc_id)
    path, name = kept if kept is not None else (Path(document.source), Path(document.source).name)
    if not path.is_file():
        raise NotFoundError(f"the original of '{name}' is no longer at {document.source}")
    media = mimetypes.guess_type(name)[0] or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media, filename=name, content_disposition_type="inline")


@router.delete("/{doc_id}", status_code=204, responses={202: {"description": "still being removed: a job"}})
def delete_document(doc_id: str, jobs: JobQueue = Depends(get_jobs)) -> Response:
    """Remove a document (through the writer queue): 204 once removed, 202 with a job if that takes long."""
    job_id = jobs.submit_removal(doc_id)
    if not jobs.wait(job_id, _DELETE_WAIT_S):
        return JSONResponse({"job_id": job_id}, status_code=202)
    job = jobs.get(job_id)
    if job["status"] == "failed":
        return JSONResponse({"error": job["errors"][0]["error"] if job["errors"] else "removal failed"}, status_code=500)
    return Response(status_code=204)
