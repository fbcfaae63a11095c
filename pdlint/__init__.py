"""pdlint: prove that a PagerDuty account does what the written incident-response policy says."""

__version__ = "0.1.0"
