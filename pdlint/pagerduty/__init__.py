"""The live state: what the PagerDuty account holds, read over its REST API or from a snapshot.

``state`` is importable by the rules without loading any network code; the client and the fetch
live in their own modules and are imported only by the commands that talk to PagerDuty.
"""
