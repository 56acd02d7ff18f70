"""Composition: sweep runners, session, storage, configuration, feedback and the CLI."""
