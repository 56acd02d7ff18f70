"""The simulated room: a scene file rendered as radio samples and camera frames."""
