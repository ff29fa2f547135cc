from tests.integration.projections.history import readmodel

__all__ = ["readmodel"]
