// The call layer's options: the directory of extensions and accounts, routing (the dialplan's
// numbering plan and timeouts) and the event history. Part of pbx::Options (pbx/options.h).
//
// Thread-safety: value types.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "pbx/routing/dialplan.h"

namespace pbx {

// SRTP (SDES keys, RFC 4568) on one account's calls.
enum class SrtpPolicy {
  kOff,        // plain RTP only: offers carry no keys; an RTP/SAVP offer is refused (488)
  kOptional,   // SRTP when the phone wants it; pbxkit's offers are RTP/AVP with keys
  kMandatory,  // SRTP or nothing: offers are RTP/SAVP; a plain offer or answer is refused
};

struct Account {
  std::string username;  // SIP digest username (and the user part of its address of record)
  std::string password;
  // Codecs this account's phone is offered and answered with, by SDP name ("opus", "G722",
  // "PCMU", "PCMA"), most preferred first. Empty: every codec pbxkit supports.
  std::vector<std::string> codecs{};
  SrtpPolicy srtp = SrtpPolicy::kOptional;
};

// A number that rings: every registered account of the extension rings in parallel.
struct Extension {
  std::string number;
  std::vector<Account> accounts;
  std::string displayName{};
  // Group pickup ("*9") takes calls ringing at extensions that share a group with the picker;
  // an extension without groups is in the one unnamed group.
  std::vector<std::string> pickupGroups{};
};

struct Directory {
  std::vector<Extension> extensions;
};

// In-call feature codes: digits a party of a bridged call presses (RFC 4733, INFO or in-band)
// that act on the call (the seeds' on-call codes). A code's digits still reach the other party.
struct FeatureCodes {
  std::string blindTransfer = "#4";  // then the target, ended by # or interDigitTimeout
  std::string park = "#8";           // the other party waits in a park slot; the presser leaves
  std::string record = "*1";         // starts, and the next time stops, a recording of the call
  // A code's digits must follow each other within this; so must a transfer target's.
  std::chrono::milliseconds interDigitTimeout{2000};
  // Where *1 recordings go (stereo WAV, named after the call); empty: recording on demand is off.
  std::string recordingsDirectory{};
};

struct RoutingOptions {
  // How long a new call waits for an asynchronous dialplan's decision before it is refused
  // (500, Cause::kDialplanError). The caller hears ringing meanwhile.
  std::chrono::seconds decisionTimeout{10};
  // The park extension, slots and pickup codes of the default dialplan (and of REFERs to the
  // park extension).
  routing::NumberingPlan numbering;
  // A parked call nobody picked up rings the phone that parked it after this long.
  std::chrono::seconds parkTimeout{90};
  FeatureCodes features{};
};

struct EventOptions {
  // Call events kept for listeners that resume from a sequence number.
  size_t historySize = 10000;
};

}  // namespace pbx
