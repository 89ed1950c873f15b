"""basisop: reproducible evaluation of the local approach to radicalisation (wegingskader)."""

__version__ = "0.1.0"
