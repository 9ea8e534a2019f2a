"""Deployments of psystock's scoring runtime: Docker images (``psystock.deploy.docker``)."""
