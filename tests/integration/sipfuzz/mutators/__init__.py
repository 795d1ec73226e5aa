"""The mutation families: each mutator edits one message of an iteration.

A mutator takes (msg, rng, cx) and edits msg in place (returning None), or returns the list of
messages (Msg or bytes) to send instead of it. Importing this package registers every family
in FAMILIES (registry.py):

  sdp_bodies       sdp                   SDP bodies (any message; one without SDP gets one)
  request_headers  req                   generic request headers
  auth             auth                  digest credentials of an INVITE or REGISTER
  register         reg                   REGISTER Expires/Contact/To/From/Request-URI
  responses        resp                  the headers and status of a callee's response
  flows            flow1xx, flow2xx,     the callee's provisionals, 2xx, answer to pbxd's
                   cancelreply, byereply CANCEL and BYE, as sequences of responses
  dialog           cancel, ack, indlg    the caller's CANCEL, ACKs, in-dialog requests
  byte_level       bytes                 bit flips, inserted/deleted bytes, truncation
"""

from . import auth, byte_level, dialog, flows, register, request_headers, responses, sdp_bodies
from .registry import FAMILIES, MutCtx

__all__ = ["FAMILIES", "MutCtx", "auth", "byte_level", "dialog", "flows", "register",
           "request_headers", "responses", "sdp_bodies"]
