// Options: everything pbx::Pbx::Create() needs, as plain values, one part per layer
// (pbx/sip/sip_options.h, pbx/media/media_options.h, pbx/call/call_options.h). pbxd fills
// them from YAML; programs that embed pbxkit fill them in code. Every field has a working
// default.
//
//   pbx::Options options;
//   options.sip.listen = {"udp:127.0.0.1:5060"};
//   options.sip.domain = "127.0.0.1";
//   options.directory.extensions.push_back({"100", {{"100", "secret"}}});
//
// Thread-safety: value types.
#pragma once

#include "pbx/call/call_options.h"
#include "pbx/media/media_options.h"
#include "pbx/sip/sip_options.h"

namespace pbx {

struct Options {
  SipOptions sip;
  MediaOptions media;
  Directory directory;
  RoutingOptions routing;
  EventOptions events;
};

}  // namespace pbx
