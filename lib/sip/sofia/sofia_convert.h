// Conversions from sofia-sip's parsed messages to pbxkit's typed SIP values.
// Everything arriving here came off the network: missing headers give empty values, never
// a crash.
#pragma once

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

#include <optional>
#include <string>
#include <string_view>

#include "pbx/sip/signaling_stack.h"

namespace pbx::sip::internal {

Uri ToUri(const url_t* url);
NameAddr ToNameAddr(const sip_addr_t* addr);
std::optional<DigestCredentials> ToCredentials(const msg_auth_t* auth);
// The packet source and transport of a received message.
RequestSource SourceOf(msg_t* msg);
// The body when it is SDP (or untyped), else empty.
std::string SdpBodyOf(const sip_t* sip);
std::string UserAgentOf(const sip_t* sip);
// A reason phrase that stays valid for the process lifetime: nua keeps the phrase pointer of
// nua_respond() instead of copying it. Standard phrases for an empty `reason`.
const char* StablePhrase(int status, const std::string& reason);
// "sip:host:port;transport=udp" for sending to a RequestSource.
std::string NextHopUri(const RequestSource& source);
// A Replaces header (RFC 3891) as sofia parsed it; nullopt without a Call-ID and both tags.
std::optional<Replaces> ToReplaces(const sip_replaces_t* replaces);
// The Replaces header field of a URI's headers ("Replaces=abc%40host%3Bto-tag%3D1..." in a
// Refer-To), percent-decoded and parsed; nullopt when absent or malformed.
std::optional<Replaces> ReplacesOfUriHeaders(const char* headers);
// Session-Expires, Min-SE and Supported/Require: timer of a request (RFC 4028).
SessionTimerRequest ToSessionTimer(const sip_t* sip);
// Whether an option-tag list (Require, Supported) names `tag`.
bool HasOptionTag(const msg_list_t* list, const char* tag);
// Parses a Replaces header value: "callid;to-tag=a;from-tag=b[;early-only]".
std::optional<Replaces> ParseReplaces(std::string_view value);

}  // namespace pbx::sip::internal
