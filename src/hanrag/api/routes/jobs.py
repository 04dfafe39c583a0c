"""Upload jobs: what happened to each file, across page refreshes and restarts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from hanrag.api.deps import get_jobs, require_key
from hanrag.jobs import JobQueue

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[Depends(require_key)])


@router.get("")
def list_jobs(jobs: JobQueue = Depends(get_jobs)) -> list[dict[str, Any]]:
    """The 50 newest upload jobs, newest first."""
    return jobs.recent()


@router.get("/{job_id}")
def get_job(job_id: str, jobs: JobQueue = Depends(get_jobs)) -> dict[str, Any]:
    return jobs.get(job_id)


@router.delete("/{job_id}", status_code=204)
def forget_job(job_id: str, jobs: JobQueue = Depends(get_jobs)) -> Response:
    """Drop a finished job from the list (409 while it is queued or running)."""
    jobs.forget(job_id)
    return Response(status_code=204)
