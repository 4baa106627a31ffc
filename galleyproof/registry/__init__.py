"""The only code that does HTTP: Crossref, DataCite, and the lockfile of registered records."""
