"""Sparse (BM25) and dense retrieval, fusion, and the hybrid pipeline."""
