"""Mechanistic claims: does this model compute relevance the way the interpretability papers found?"""
