"""galleyproof: reproducible manuscript builds, citation audits, claim checks, submission packages."""

__version__ = "0.1.0"
