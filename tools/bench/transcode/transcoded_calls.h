// The transcode bench's pbxkit side: N calls, each a TerminatedRelay whose side A speaks PCMU
// and side B Opus, fed by two simulated phones per call — the PCMU phone's and the Opus phone's
// prepared payloads (call_audio.h) with each call's own SSRC and fresh sequence numbers and
// timestamps — and ticked every 20 ms of simulated time (no sleeping: the clock is a value).
// What the relays send is counted, not looked at.
//
//   TranscodedCalls calls(audio, pcmu, opus, 200);
//   calls.run(100);                   // 2 s of every call: phones' packets in, relay ticks
//   calls.run(100, /*relays=*/false); // the same packets made and dropped: the phones' share
//
// Thread-safety: one thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "lib/media/terminated/terminated_relay.h"
#include "tools/bench/transcode/call_audio.h"

namespace pbx::bench {

class TranscodedCalls {
 public:
  struct Phone {
    uint32_t ssrc = 0;
    uint16_t sequence = 0;
    uint32_t timestamp = 0;
  };
  struct Call {
    std::unique_ptr<media::internal::TerminatedRelay> relay;
    Phone pcmu;         // sends into side A
    Phone opus;         // sends into side B
    size_t offset = 0;  // where in the prepared audio this call's phones start
  };
  struct Counts {
    uint64_t packetsIn = 0;
    std::array<uint64_t, 2> packetsOut{};  // by side: to the PCMU phone, to the Opus phone
    std::array<uint64_t, 2> bytesOut{};
    uint64_t events = 0;
    uint64_t phoneBytes = 0;  // what the phones wrote: keeps a phones-only run honest
  };

  TranscodedCalls(const CallAudio& audio, const media::StreamFormat& pcmu,
                  const media::StreamFormat& opus, size_t calls);
  ~TranscodedCalls();

  // `ticks` ticks of 20 ms: for every call each phone sends one packet, then the relay ticks.
  // relays = false makes the same packets and drops them, and leaves the calls (clock, sequence
  // numbers, timestamps) where they were, so the relays never see a gap.
  void run(size_t ticks, bool relays = true);
  // Whether every call's relay is transcoding (both formats known and different).
  bool allTerminating() const;

  const Counts& counts() const { return counts_; }
  void resetCounts() { counts_ = Counts{}; }
  size_t size() const { return calls_.size(); }

 private:
  class Output;

  const CallAudio& audio_;
  const uint8_t pcmuType_;
  const uint8_t opusType_;
  std::unique_ptr<Output> output_;
  std::vector<Call> calls_;
  MonotonicTime now_{};
  size_t tick_ = 0;
  Counts counts_;
};

}  // namespace pbx::bench
