"""Rasa input/output channels of this project (referenced from credentials.yml)."""
