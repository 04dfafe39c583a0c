"""Korean tokenizers (for BM25) and the sentence splitter (for chunking)."""

from hanrag.text.base import Tokenizer

__all__ = ["Tokenizer"]
