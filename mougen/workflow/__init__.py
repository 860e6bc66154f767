"""What combines several jobs: provenance, checking files in a workspace, filing and reading
the archive, rebuilding the tracker from it, and starting a review."""
