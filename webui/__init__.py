"""The phone web UI (Flask), served by waitress inside ``roomsweep serve``."""
