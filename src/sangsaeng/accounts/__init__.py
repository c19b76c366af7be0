"""The portal's people: users and their roles, passwords, sign-in sessions and lockouts (the ``accounts`` use
cases, for the portal's pages, the management API and the CLI alike)."""
