"""The box's own plumbing: its identity, hotspot, printed label, and systemd notifications."""
