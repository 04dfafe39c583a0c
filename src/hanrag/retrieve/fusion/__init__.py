"""Fusing ranked lists from several retrievers.

Each input is a mapping retriever name -> (rows, scores), best first. Each function
returns the fused (rows, scores), best first; ties are broken by row id so results
are deterministic.
"""

from hanrag.retrieve.fusion.convex import convex_combination
from hanrag.retrieve.fusion.normalization import NORMALIZERS, normalize
from hanrag.retrieve.fusion.rrf import weighted_rrf

__all__ = ["NORMALIZERS", "convex_combination", "normalize", "weighted_rrf"]
