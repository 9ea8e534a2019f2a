"""Plots logged as MLflow artifacts, and the process that draws them off the job's path.

Light on purpose: ``python -m psystock.plots.worker`` imports this package, numpy and
matplotlib, nothing else of psystock (no settings, no pydantic).
"""
