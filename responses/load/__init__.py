"""`make load`: the desk under a real HTTP load tool (Debian's wrk) on loopback; see the load_test command."""
