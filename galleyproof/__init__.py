"""galleyproof: reproducible manuscript builds, citation audits, claim checks, submission packages."""

__version__ = "0.3.0.dev0"
