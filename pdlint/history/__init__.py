"""Drift history: the folder of drift reports ``pdlint drift --record`` keeps, one a run, and
what it tells over a period: when each drift opened and closed, and when nobody was checking.

The folder is the contract (docs/ci.md, "Drift history"): every file a JSON drift report of
format version 2 or later, named by the time the account was read, with its history record
beside it (what the readers read of the report, a small part of it).
"""
