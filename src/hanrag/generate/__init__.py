"""Grounded answers: LLM backends, the offline extractive answerer, prompts and citations."""
