"""The demo account (now: Monday 2026-03-02 12:00 UTC) with a second maintenance window, "Database
failover drill", on Checkout API from 14:00 to 20:00 UTC that day, which the simulator returns
without its services (``UNLISTED``: the fault takes them out of that window only). The demo's own
window, "Firewall rule set upgrade", holds Web Application Firewall from 11:00 to 17:00 and is
returned whole. Shared by the tests of PATH600 and ``pdlint paging``."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from pdlint.sim import Account, Fault, Faults
from pdlint.sim.account import MaintenanceWindow

DRILL_ID = "PWDRILL"
DRILL = (datetime(2026, 3, 2, 14, tzinfo=timezone.utc),
         datetime(2026, 3, 2, 20, tzinfo=timezone.utc))
DRILL_WHY = ("PagerDuty returned maintenance window 'Database failover drill' from "
             "2026-03-02T14:00:00Z to 2026-03-02T20:00:00Z without its services: whether it "
             "holds this service is not known")
UNLISTED = Faults(scripted=(Fault("omit_field", "/maintenance_windows", field="services",
                                  object_id=DRILL_ID),))


def with_drill(account: Account) -> Account:
    """``account`` (the demo's) with the drill on Checkout API."""
    checkout = next(service.id for service in account.services
                    if service.name == "Checkout API")
    return replace(account, maintenance_windows=(*account.maintenance_windows, MaintenanceWindow(
        DRILL_ID, 2, *DRILL, (checkout,), None, "Database failover drill")))
