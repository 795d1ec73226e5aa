// libFuzzer target for the stateless UDP path (lib/sip/common/stateless_reply.h), checked
// against sofia-sip's own parser. Whatever ScanRequest accepts, pbxd answers without sofia
// ever seeing it, so:
//  - sofia must parse the same datagram as the same request: method, top Via (branch, host,
//    port, rport), From tag, To tag, Call-ID and CSeq, with none of those headers in error;
//  - the response built from it must parse in sofia as that status, with the request's
//    Call-ID, CSeq, From tag and top Via branch, and the stateless To tag.
//
//   build-fuzz/tests/stateless_reply_fuzz -max_total_time=60 corpus/
// A corpus to start from: the INVITEs of ../shared/testdata/sip-torture/rfc4475/.
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>

#include <strings.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/sip/common/stateless_reply.h"

namespace {

using pbx::sip::internal::ScannedRequest;

[[noreturn]] void Fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "stateless_reply_fuzz: %s\n--- message ---\n%.*s\n", what,
               static_cast<int>(text.size()), text.data());
  __builtin_trap();
}

// The value after "Name:" of a whole header line, trimmed.
std::string_view Value(std::string_view line) {
  line.remove_prefix(line.find(':') + 1);
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

bool Same(const char* sofia, std::string_view ours) {
  return sofia != nullptr && std::string_view(sofia) == ours;
}

// A sofia message parsed from `text`, destroyed with the object.
class Parsed {
 public:
  explicit Parsed(std::string_view text)
      : msg_(msg_make(sip_default_mclass(), 0, text.data(), text.size())) {}
  ~Parsed() { msg_destroy(msg_); }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;
  sip_t* sip() const { return msg_ ? sip_object(msg_) : nullptr; }

 private:
  msg_t* msg_;
};

// What both the request and its response must carry alike; `fromTag` is the request's.
void CheckCommon(const sip_t* sip, const ScannedRequest& request, const char* fromTag,
                 std::string_view text) {
  // A request may carry other headers sofia cannot parse (RFC 4475's baddate: nta takes it
  // too); none of those a stateless reply relies on may be among them.
  for (const msg_error_t* error = sip->sip_error; error; error = error->er_next) {
    const char* name = error->er_name ? error->er_name : "";
    for (const char* essential : {"Via", "v", "From", "f", "To", "t", "Call-ID", "i", "CSeq",
                                  "Max-Forwards", "Content-Length", "l"})
      if (strcasecmp(name, essential) == 0) {
        std::fprintf(stderr, "stateless_reply_fuzz: %s in error\n", name);
        Fail("sofia found a header in error", text);
      }
  }
  if (sip->sip_from == nullptr || sip->sip_from->a_tag == nullptr ||
      (fromTag != nullptr && !Same(sip->sip_from->a_tag, fromTag)))
    Fail("From tag missing or different", text);
  if (sip->sip_call_id == nullptr || !Same(sip->sip_call_id->i_id, Value(request.callId)))
    Fail("Call-ID differs", text);
  if (sip->sip_cseq == nullptr || !Same(sip->sip_cseq->cs_method_name, request.method))
    Fail("CSeq method differs", text);
  if (sip->sip_via == nullptr || !Same(sip->sip_via->v_branch, request.branch))
    Fail("top Via branch differs", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto request = pbx::sip::internal::ScanRequest(text);
  if (!request) return 0;

  Parsed in(text);
  const sip_t* sip = in.sip();
  if (sip == nullptr || sip->sip_request == nullptr) Fail("sofia does not take the request", text);
  if (!Same(sip->sip_request->rq_method_name, request->method)) Fail("method differs", text);
  CheckCommon(sip, *request, nullptr, text);
  if (sip->sip_to == nullptr) Fail("no To for sofia", text);
  std::string_view sofiaToTag = sip->sip_to->a_tag ? sip->sip_to->a_tag : "";
  if (sofiaToTag != request->toTag) Fail("To tag differs", text);
  const sip_via_t* via = sip->sip_via;
  std::string host(request->viaHost);
  if (!Same(via->v_host, host)) Fail("top Via host differs", text);
  if ((via->v_port != nullptr) != (request->viaPort != 0) ||
      (via->v_port != nullptr && std::atoi(via->v_port) != request->viaPort))
    Fail("top Via port differs", text);
  if ((via->v_rport != nullptr) != request->viaRport) Fail("top Via rport differs", text);
  // Credentials sofia would read must not be challenged again; one it cannot parse is safe
  // to see (the request then goes to sofia-sip).
  if (sip->sip_proxy_authorization != nullptr && !request->proxyAuthorization)
    Fail("Proxy-Authorization missed", text);
  if (sip->sip_max_forwards == nullptr || sip->sip_max_forwards->mf_count == 0)
    Fail("Max-Forwards missing or 0 for sofia", text);
  // pbxd answers statelessly only INVITEs outside a dialog (UdpScreen::consume).
  if (request->method == "ACK" || !request->toTag.empty()) return 0;

  auto source = pbx::SocketAddress::Parse("192.0.2.7", 5071);
  if (!source.ok()) Fail("test address", "192.0.2.7");
  std::string response = pbx::sip::internal::StatelessResponse(
      *request, *source, 407, "Proxy Authentication Required", "Retry-After: 5\r\n");
  Parsed out(response);
  const sip_t* reply = out.sip();
  if (reply == nullptr || reply->sip_status == nullptr || reply->sip_status->st_status != 407)
    Fail("sofia does not take the response", response);
  if (reply->sip_error != nullptr) Fail("sofia finds a header of the response in error", response);
  CheckCommon(reply, *request, sip->sip_from->a_tag, response);
  if (reply->sip_to == nullptr || reply->sip_to->a_tag == nullptr ||
      !pbx::sip::internal::IsStatelessTag(reply->sip_to->a_tag) ||
      reply->sip_to->a_tag != pbx::sip::internal::StatelessTag(*request))
    Fail("the response's To tag is not the stateless one", response);
  if (reply->sip_content_length == nullptr || reply->sip_content_length->l_length != 0)
    Fail("the response's Content-Length is not 0", response);
  (void)pbx::sip::internal::StatelessResponseDestination(*request, *source);
  return 0;
}
