"""Retrieval evaluation: datasets, metrics and the runner behind `hanrag eval`."""
