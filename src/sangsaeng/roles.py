"""Who may do what: the one table of roles and actions every door (REST API, portal, CLI) is held to.

A person or tool acting on the connector is a ``Principal``: a portal user with the role they were given, the
holder of the management API key (which acts as an administrator: there is one key, and it is the company's
own), or the administrator at the machine running the CLI. The use cases (``sangsaeng/usecases/``) call
``require`` before they act, so a door cannot allow what another door refuses.

- admin: everything, including managing the portal's users;
- steward: adds and offers data, asks partners for theirs, decides requests, ends agreements, starts transfers;
- viewer: reads — pages, lists, received data of transfers already started, the audit log — and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from sangsaeng.errors import Forbidden
from sangsaeng.i18n import catalogs
from sangsaeng.i18n.refusals import PerLanguage, refused_as

ROLES: Final = ("admin", "steward", "viewer")
PUBLISHERS: Final = frozenset({"admin", "steward"})  # may add data, publish offers, approve, terminate
EVERYONE: Final = frozenset(ROLES)
ADMINS: Final = frozenset({"admin"})

Door = Literal["api", "portal", "cli"]

# Every action a person can take, and the roles allowed to take it.
RULES: Final[dict[str, frozenset[str]]] = {
    # reading
    "read": EVERYONE,  # datasets, offers, negotiations, agreements, transfers, explanations, the audit log
    "data.read": EVERYONE,  # the data of a transfer already started (a pull, an aggregate, a preview)
    "audit.verify": EVERYONE,
    "audit.evidence": EVERYONE,
    # changing
    "dataset.add": PUBLISHERS,
    "offer.publish": PUBLISHERS,
    "credential.add": ADMINS,
    "negotiation.start": PUBLISHERS,
    "negotiation.decide": PUBLISHERS,  # approve or decline a request, end a negotiation
    "agreement.terminate": PUBLISHERS,
    "agreement.fulfil": PUBLISHERS,
    "transfer.start": PUBLISHERS,
    "transfer.change": PUBLISHERS,  # complete, suspend, resume, terminate
    "data.refresh": PUBLISHERS,  # pull an agreement's data again into our copy (a use of the agreement)
    "audit.check-peer": PUBLISHERS,
    "user.manage": ADMINS,  # add users, set their passwords, lift lockouts
    # the company's side of the hub's support (its own portal's /portal/support pages)
    "support.act": PUBLISHERS,  # answer the self-assessment, ask for an expert, publish a case, contribute, want
    # the hub's operator (a hub only)
    "hub.review": ADMINS,  # approve, decline, suspend, reinstate
}


@dataclass(frozen=True)
class Principal:
    """Who is acting, with which role, through which door (the door only goes to the audit log)."""

    name: str
    role: str
    door: Door

    def may(self, action: str) -> bool:
        return allowed(self.role, action)


API_KEY: Final = Principal("api", "admin", "api")  # the management API key is the administrator's credential
CLI_ADMIN: Final = Principal("cli", "admin", "cli")  # the CLI on the connector's own machine, with its data dir


def allowed(role: str, action: str) -> bool:
    """Whether ``role`` may take ``action``; an action not in the table is refused to everyone."""
    return role in RULES.get(action, frozenset())


def require(principal: Principal, action: str) -> None:
    """Refuse (``Forbidden``, code ``forbidden``) what the principal's role may not do."""
    if principal.may(action):
        return
    raise refused(principal.role, action)


def refused(role: str, action: str) -> Forbidden:
    """The refusal in both languages from the ``messages`` catalog (the API answers it, English as the message and
    Korean in ``details``; the portal shows its own page): the role by the name the portal gives it."""
    return refused_as(
        Forbidden,
        "messages",
        "forbidden.role",
        extra={"action": action, "role": role},
        role=PerLanguage(
            lambda language: catalogs.text("messages", f"role.{role}", language) if role in ROLES else role
        ),
        action=action,
    )
