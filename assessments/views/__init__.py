"""Views, one module per kind of user: manager, report, survey."""
