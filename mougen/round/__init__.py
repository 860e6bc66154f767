"""The signing round as a library: invitations, the signing order, accepting each signed
file, completion and reminders, over one workspace and its tracker.

The web service (``mougen.web``) and the command line (``mougen.cli``) are two front ends
of equal rank on top of it.
"""
