#include "tools/bench/transcode/memory_probe.h"

#include <fmt/format.h>

#include "lib/media/dtmf/rfc4733.h"
#include "lib/media/rtp/jitter_buffer.h"
#include "lib/media/terminated/side_stream.h"
#include "tools/bench/transcode/raw_opus.h"
#include "tools/bench/transcode/transcoded_calls.h"

namespace pbx::bench {
namespace {

using media::internal::JitterBuffer;
using media::internal::SideStream;

constexpr size_t kTicks = 10;  // 200 ms: every stream decoding and encoding

class NoEvents final : public media::internal::EventOutput {
 public:
  void report(const media::MediaEvent&) override {}
};

template <typename T>
std::unique_ptr<T> Value(absl::StatusOr<std::unique_ptr<T>> made) {
  return made.ok() ? std::move(*made) : nullptr;
}

// SideStream::Create's jitter buffer for a stream whose 20 ms frame is `step` clock units.
// One side's stream and its parts, as SideStream::Create makes them; returns the stream's total.
double AddStream(const char* name, const media::StreamFormat& format, uint32_t step, size_t n,
                 std::vector<MemoryRow>& rows, double* jitter) {
  const media::internal::CodecParams params = media::internal::ParamsFor(format);
  const double total = HeapPerItem(n, [&] { return Value(SideStream::Create(format, 1)); });
  rows.push_back({fmt::format("{} side: SideStream (all of the below)", name), total, 0});
  const JitterBuffer::Options defaults = media::internal::JitterOptionsFor(format, step);
  *jitter = HeapPerItem(n, [&] { return Value(JitterBuffer::Create(defaults)); });
  rows.push_back(
      {fmt::format("jitter buffer ({} slots x {} B payload space = {} B)", defaults.capacity,
                   defaults.maxPayload, defaults.capacity * defaults.maxPayload),
       *jitter, 1});
  const double encoder = HeapPerItem(n, [&] { return Value(CreateEncoder(params)); });
  const double decoder = HeapPerItem(n, [&] { return Value(CreateDecoder(params)); });
  rows.push_back({fmt::format("{} encoder", format.codec), encoder, 1});
  rows.push_back({fmt::format("{} decoder", format.codec), decoder, 1});
  double events = 0;
  if (format.telephoneEvent >= 0) {
    const int rate = static_cast<int>(step) * 50;
    events = HeapPerItem(n, [&] { return Value(media::internal::Rfc4733Receiver::Create(rate)); }) +
             HeapPerItem(n, [&] { return Value(media::internal::Rfc4733Sender::Create(rate)); });
    rows.push_back({"RFC 4733 receiver + sender", events, 1});
  }
  rows.push_back({fmt::format("the SideStream object (sizeof {} B: a 20 ms frame, {} pending "
                              "samples) and its Parts",
                              sizeof(SideStream), media::internal::kMaxDecodedSamples),
                  total - *jitter - encoder - decoder - events, 1});
  return total;
}

}  // namespace

MemoryReport MeasureMemory(const CallAudio& audio, const media::StreamFormat& pcmu,
                           const media::StreamFormat& opus, size_t calls) {
  MemoryReport report;
  report.calls = calls;
  report.opusState = static_cast<double>(OpusEncoderStateBytes() + OpusDecoderStateBytes());
  {
    const size_t before = HeapInUse();
    TranscodedCalls running(audio, pcmu, opus, calls);
    running.run(kTicks);
    const size_t after = HeapInUse();
    // The bench's own share: its per-call bookkeeping vector and one Output.
    const double own = static_cast<double>(calls * sizeof(TranscodedCalls::Call));
    report.perCall = (static_cast<double>(after - before) - own) / static_cast<double>(calls);
  }

  NoEvents events;
  const double shell = HeapPerItem(
      calls, [&] { return std::make_unique<media::internal::TerminatedRelay>(events); });
  report.parts.push_back({"TerminatedRelay without formats (two sides: frames, player)", shell, 0});
  double pcmuJitter = 0;
  double opusJitter = 0;
  const double pcmuStream = AddStream("A (PCMU)", pcmu, 160, calls, report.parts, &pcmuJitter);
  const double opusStream = AddStream("B (opus)", opus, 960, calls, report.parts, &opusJitter);
  report.parts.push_back({fmt::format("of which libopus state (opus_encoder_get_size {} + "
                                      "opus_decoder_get_size {})",
                                      OpusEncoderStateBytes(), OpusDecoderStateBytes()),
                          report.opusState, 1});
  report.partsTotal = shell + pcmuStream + opusStream;
  report.parts.push_back({"the rest (allocated while ticking, or not seen part by part)",
                          report.perCall - report.partsTotal, 0});
  return report;
}

void PrintMemory(const MemoryReport& report, double aimBytes) {
  const double beyond = report.perCall - report.opusState;
  fmt::print("\nmemory per transcoded call ({} PCMU<->Opus calls, {} ticks each, mallinfo2):\n",
             report.calls, kTicks);
  fmt::print("  heap per call               {:>9.0f} B  ({:.1f} KiB)\n", report.perCall,
             report.perCall / 1024);
  fmt::print("  libopus state (enc + dec)   {:>9.0f} B  ({:.1f} KiB)\n", report.opusState,
             report.opusState / 1024);
  fmt::print("  beyond libopus              {:>9.0f} B  ({:.1f} KiB); aim <= {:.0f} KiB: {}\n",
             beyond, beyond / 1024, aimBytes / 1024, beyond <= aimBytes ? "holds" : "MISSED");
  fmt::print("  where it goes (heap per call, malloc headers included):\n");
  for (const MemoryRow& row : report.parts) {
    fmt::print("    {:<{}}{:<{}} {:>9.0f} B\n", "", row.depth * 4, row.what, 84 - row.depth * 4,
               row.bytes);
  }
}

}  // namespace pbx::bench
