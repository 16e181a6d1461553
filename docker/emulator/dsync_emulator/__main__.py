"""`python -m dsync_emulator --host H --port P --bucket B --api-port X ...` (server.py)."""

from .server import main

main()
