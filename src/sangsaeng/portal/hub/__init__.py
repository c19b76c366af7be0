"""The hub's portal (issue 17 § 6): applying, an application's state, the operator's review, the member
directory and the federated catalog's search — pages of the shared portal machinery (sessions, CSRF, language,
the one look), under ``/portal/hub/…`` on a hub's root context only."""
