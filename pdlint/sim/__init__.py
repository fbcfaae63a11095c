"""A simulated PagerDuty account served over real HTTP, held to the official OpenAPI spec.

An independent implementation of PagerDuty's side, for the demo, the tests and the benchmarks:
it imports nothing else of pdlint.

    from pdlint.sim import SimServer, Faults, demo_account

    with SimServer(demo_account(), token="sim-token") as server:
        ...  # talk to server.base_url with "Authorization: Token token=sim-token"
"""

from pdlint.sim.account import Account
from pdlint.sim.demo import demo_account
from pdlint.sim.faults import PAGERDUTY_RATE_LIMIT, Fault, Faults, parse_fault_options
from pdlint.sim.generate import generated_account, sized_account
from pdlint.sim.server import RequestRecord, SimServer

__all__ = [
    "PAGERDUTY_RATE_LIMIT",
    "Account",
    "Fault",
    "Faults",
    "RequestRecord",
    "SimServer",
    "demo_account",
    "generated_account",
    "parse_fault_options",
    "sized_account",
]
