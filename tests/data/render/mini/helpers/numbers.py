"""Fixture analysis code: imported by a cell, so editing it must invalidate the cache."""
import pandas as pd


def load_counts(path):
    return pd.read_csv(path)
