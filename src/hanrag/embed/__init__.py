"""Text embedders (dense retrieval) behind the Embedder protocol."""

from hanrag.embed.base import Embedder

__all__ = ["Embedder"]
