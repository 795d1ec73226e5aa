"""The SIP calls-per-second bench (tools/bench/sip-cps/run), in parts."""
