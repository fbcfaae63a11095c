"""The paging path: had an incident been triggered on a service at a given moment, who would
have been phoned or texted, and when (``path.py``); the same at one moment, level by level, for a
person to read (``explain.py``)."""
