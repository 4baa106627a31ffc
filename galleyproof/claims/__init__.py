"""Claim consistency: the domain lexicon, claim extraction, and one module per rule."""
