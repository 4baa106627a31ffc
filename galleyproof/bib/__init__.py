"""Bibliographic data: the Reference model, BibTeX via pybtex, APA reference strings, DOIs."""
