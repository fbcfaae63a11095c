"""Rules: each a small pure function over the documented policy (and, for drift, the live state).

The catalogue lives in ``registry.py``; each family module holds its rules.
"""
