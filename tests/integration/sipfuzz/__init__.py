"""The structured SIP fuzzer run by test_fuzz_sip.py (which explains what it does), in modules:

  accounts   the extensions and accounts pbxd is configured with
  sipmsg     SIP messages: parsing, header access, building requests, responses, ACK, CANCEL
  sdp        building and reading the SDP bodies the phones send
  phones     the phones (a UDP socket each), their transactions, and the network pump
  mutators/  the mutation families (one message per iteration is mutated)
  plan       what an iteration does (scenario, flow, mutated step), drawn from the seed
  fuzzer     the Fuzzer: bookkeeping, sending with the mutation, one iteration
  checks     liveness, sanitizer reports, and the checks of what pbxd sends
  scenarios  the flows: REGISTER, calls (with mid-call requests), out-of-dialog requests
  teardown   automatic answers to pbxd, and the teardown after each iteration
The digest credentials (RFC 2617) come from pbxtest/digest.py.
"""
