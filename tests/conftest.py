"""Shared by every test folder: this file puts ``tests/`` on the import path, so that
``pdlint_process`` (running pdlint as a user does) and ``sim_client`` (a client configured for
the simulator) are importable everywhere."""
