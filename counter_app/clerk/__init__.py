"""The clerk workstation: call, serve, record and forward from a front- or back-office desk."""
