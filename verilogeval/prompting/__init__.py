"""Prompting: the messages a model is sent for one problem, from Jinja templates and shots."""
