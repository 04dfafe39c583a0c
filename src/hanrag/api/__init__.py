"""The HTTP API and web app (`hanrag serve`): FastAPI over the same Index the CLI uses."""

from hanrag.api.app import create_app

__all__ = ["create_app"]
