"""Switchable misbehaviour of the simulated API: rate limits, errors, broken bodies, lost pages.

A ``Faults`` value is installed on a running ``SimServer`` (``server.faults = Faults(...)``);
installing one restarts its request counting, so a test can say exactly which request misbehaves:

    Faults(scripted=(Fault("drop_connection", path="/users", requests={2}),))

drops the connection of the second request to ``/users`` (or below it) after installation.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

FaultKind = Literal[
    "status",  # answer ``status`` with PagerDuty's error body (429 gets the rate-limit body)
    "drop_connection",  # close the socket without answering
    "malformed_json",  # 200 with a complete response whose body is not JSON
    "truncated_json",  # 200 announcing the full length, sending half, then closing
    "html_error_200",  # an HTML error page served with status 200
    "slow",  # answer after ``delay_ms`` (to exceed a client's timeout)
    "more_true_empty_page",  # a list page with no items that still says ``more: true``
    "repeat_previous_page",  # a list page served with the items of the page before it
    "vanish_between_pages",  # the list's first object is deleted now, and stays deleted
    "omit_field",  # a 200 answer whose objects lack ``field``, one PagerDuty always returns
    "rate_headers",  # the ``ratelimit-*`` values of ``rate_headers`` sent, not the window's
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
PAGE_FAULTS = ("more_true_empty_page", "repeat_previous_page", "vanish_between_pages")
RATE_HEADERS = ("limit", "remaining", "reset")
"""The ``ratelimit-*`` headers PagerDuty sends on every answer (PAGERDUTY-API-DIGEST §3)."""
PAGERDUTY_RATE_LIMIT = 960
"""PagerDuty's requests a minute per API key: what the headers report when no limit is set."""


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour.

    ``path`` is a path prefix matched by whole segments (``/users`` hits ``/users`` and
    ``/users/P1/contact_methods``, not ``/users_x``), or ``*`` for every path. ``requests`` are
    the 1-based numbers of the matching requests it hits, counted from the installation of the
    ``Faults`` that hold it; ``None`` hits every matching request. ``field`` (``omit_field``)
    is a dotted path through objects and lists, from each object the answer holds:
    ``escalation_rules.targets`` takes the targets out of every rule of every policy listed;
    ``object_id`` (``omit_field``) narrows it to the object of that id (one maintenance window
    of several), empty for every object. ``rate_headers`` (``rate_headers``) are
    ``(name, value)`` pairs, the name one of ``RATE_HEADERS``: the answer's ``ratelimit-<name>``
    says ``value`` whatever the window counts (an empty value: the header is left out), to show
    a client what another limit, another tool on the key or a broken proxy would make it read.
    """

    kind: FaultKind
    path: str = "*"
    requests: Collection[int] | None = None
    status: int = 500
    delay_ms: int = 0
    field: str = ""
    object_id: str = ""
    rate_headers: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(FAULT_KINDS)}")
        if self.kind == "omit_field" and not self.field:
            raise ValueError("omit_field needs the field to take out, a dotted path: write "
                             "e.g. omit_field=path:/services,field:integrations")
        if self.kind != "omit_field" and self.field:
            raise ValueError(f"field is an option of omit_field only, not of {self.kind}")
        if self.kind != "omit_field" and self.object_id:
            raise ValueError(f"id is an option of omit_field only, not of {self.kind}")
        if (self.kind == "rate_headers") != bool(self.rate_headers):
            raise ValueError("rate_headers needs the values to send, and only it takes them: "
                             "write e.g. rate_headers=remaining:10,reset:30")
        for name, _ in self.rate_headers:
            if name not in RATE_HEADERS:
                raise ValueError(f"rate_headers: {name!r} is not one of {', '.join(RATE_HEADERS)}")
        if self.path != "*" and not self.path.startswith("/"):
            raise ValueError(f"fault path must start with '/' or be '*': {self.path!r}")

    @classmethod
    def first(cls, count: int, kind: FaultKind, path: str = "*", **options: Any) -> Fault:
        """The next ``count`` matching requests (a burst)."""
        return cls(kind, path, range(1, count + 1), **options)

    def matches(self, path: str) -> bool:
        return path_matches(self.path, path)


def omit_field(body: Any, field: str, object_id: str = "") -> None:
    """Take ``field`` (dotted, through lists) out of each object ``body`` holds, in place; with
    ``object_id``, out of the object of that id only."""
    for value in body.values() if isinstance(body, dict) else ():
        for held in value if isinstance(value, list) else (value,):
            if not object_id or (isinstance(held, dict) and held.get("id") == object_id):
                _omit(held, field.split("."))


def _omit(value: Any, keys: list[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _omit(item, keys)
    elif isinstance(value, dict):
        if len(keys) == 1:
            value.pop(keys[0], None)
        elif keys[0] in value:
            _omit(value[keys[0]], keys[1:])


def path_matches(prefix: str, path: str) -> bool:
    """Whether ``path`` is ``prefix`` or lies below it (``*`` matches everything)."""
    if prefix == "*":
        return True
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


@dataclass(frozen=True)
class Faults:
    """Everything that makes the simulator misbehave; the default misbehaves in no way.

    ``rate_limit_per_minute`` enforces a fixed window (``rate_limit_window_seconds`` long,
    60 s like PagerDuty's) per token. Without it nothing is refused, but requests are still
    counted against PagerDuty's ``PAGERDUTY_RATE_LIMIT``: the ``ratelimit-*`` headers of every
    answer describe whichever limit counts.
    ``error_rate`` makes that share of requests fail with one of ``error_statuses``, drawn from a
    generator seeded with ``seed`` so a run is repeatable. ``forbidden`` maps path prefixes to
    403 (not authorised) or 402 (the plan lacks the ability). ``max_page_size`` serves at most
    that many objects a list page whatever ``limit`` asked (PagerDuty may serve fewer than asked;
    the answer's ``limit`` says how many), so that a small account pages like a large one.
    """

    scripted: tuple[Fault, ...] = ()
    rate_limit_per_minute: int | None = None
    rate_limit_window_seconds: float = 60.0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    seed: int = 0
    forbidden: Mapping[str, int] = field(default_factory=dict)
    max_page_size: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError(f"error_rate must be between 0 and 1, not {self.error_rate}")
        if self.rate_limit_per_minute is not None and self.rate_limit_per_minute < 1:
            raise ValueError("rate_limit_per_minute must be at least 1")
        if self.max_page_size is not None and self.max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")
        for prefix, status in self.forbidden.items():
            if status not in (402, 403):
                raise ValueError(f"forbidden {prefix}: status must be 402 or 403, not {status}")


def parse_fault_options(
    specs: Iterable[str], rate_limit_per_minute: int | None = None
) -> Faults:
    """``Faults`` from ``pdlint sim serve --fault NAME[=ARG]`` options.

    * ``error_rate=0.05``
    * ``max_page_size=3``
    * ``forbidden=/audit/records`` (403) or ``forbidden=/audit/records:402``
    * a fault kind, alone (every request) or with ``key:value`` options separated by commas:
      ``drop_connection=path:/users,requests:2``, ``status=path:/services,requests:1-3,status:503``,
      ``slow=path:/oncalls,delay_ms:30000``,
      ``omit_field=path:/escalation_policies,field:escalation_rules.targets``,
      ``omit_field=path:/maintenance_windows,field:services,id:PMW0001`` (that object only),
      ``rate_headers=path:/teams,remaining:10,reset:30`` (``limit:`` alone: left out).
    """
    faults = Faults(rate_limit_per_minute=rate_limit_per_minute)
    scripted: list[Fault] = []
    forbidden: dict[str, int] = {}
    for spec in specs:
        name, _, argument = spec.partition("=")
        if name == "error_rate":
            try:
                rate = float(argument)
            except ValueError as error:
                raise ValueError(f"--fault {spec}: error_rate needs a number in [0, 1]") from error
            faults = replace(faults, error_rate=rate)
        elif name == "max_page_size":
            if not argument.isdigit() or int(argument) < 1:
                raise ValueError(f"--fault {spec}: max_page_size needs a whole number >= 1")
            faults = replace(faults, max_page_size=int(argument))
        elif name == "forbidden":
            prefix, _, status = argument.partition(":")
            if not prefix.startswith("/"):
                raise ValueError(f"--fault {spec}: forbidden needs a path such as /audit/records")
            forbidden[prefix] = int(status) if status.isdigit() else 403
        elif name in FAULT_KINDS:
            scripted.append(_scripted_fault(spec, name, argument))
        else:
            known = ", ".join(("error_rate", "forbidden", "max_page_size", *FAULT_KINDS))
            raise ValueError(f"--fault {spec}: unknown fault {name!r}; known: {known}")
    return replace(faults, scripted=tuple(scripted), forbidden=forbidden)


def _scripted_fault(spec: str, kind: str, argument: str) -> Fault:
    options: dict[str, object] = {}
    told: list[tuple[str, str]] = []
    for pair in filter(None, argument.split(",")):
        key, _, value = pair.partition(":")
        if key == "path":
            options["path"] = value
        elif key == "requests":
            first, _, last = value.partition("-")
            if not first.isdigit() or (last and not last.isdigit()):
                raise ValueError(f"--fault {spec}: requests must be N or N-M")
            options["requests"] = range(int(first), int(last or first) + 1)
        elif key == "field":
            options["field"] = value
        elif key == "id":
            options["object_id"] = value
        elif key in RATE_HEADERS:
            told.append((key, value))
            options["rate_headers"] = tuple(told)
        elif key in ("status", "delay_ms"):
            if not value.isdigit():
                raise ValueError(f"--fault {spec}: {key} must be a whole number")
            options[key] = int(value)
        else:
            raise ValueError(f"--fault {spec}: unknown option {key!r} (path, requests, status, "
                             "delay_ms, field, id, limit, remaining, reset)")
    return Fault(kind, **options)  # type: ignore[arg-type]
