#include "examples/pbxd/rest/media_operations.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "examples/pbxd/rest/call_json.h"
#include "examples/pbxd/rest/phone_operations.h"
#include "pbx/base/logging.h"

namespace pbxd::rest::operations {
namespace {

using nlohmann::json;
using pbx::CallId;
using pbx::LegId;
using pbx::call::CallControl;
using pbx::call::CollectedDigits;
using pbx::call::DigitCollection;
using pbx::media::RecordingMode;
using Done = PhoneServices::ResultCallback;

constexpr size_t kMaxPlayFiles = 16;
constexpr size_t kMaxDigits = 64;
constexpr size_t kMaxTerminators = 16;

// Debian's Abseil has a string_view of its own, which StrCat() takes.
absl::string_view View(std::string_view text) { return {text.data(), text.size()}; }

bool IsDtmfDigit(char c) {
  return (c >= '0' && c <= '9') || (c != '\0' && std::strchr("*#ABCDabcd", c) != nullptr);
}

absl::Status Off(const char* setting, const char* what) {
  return absl::UnimplementedError(
      absl::StrCat("pbxd has no ", setting, " (docs/pbxd.md): it ", what));
}

// A whole number field of `body` from `min` to `max`, or `fallback` when it is not there.
absl::StatusOr<uint64_t> Number(const json& body, const char* name, uint64_t min, uint64_t max,
                                uint64_t fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  if (!it->is_number_unsigned() || it->get<uint64_t>() < min || it->get<uint64_t>() > max)
    return absl::InvalidArgumentError(
        absl::StrCat(name, " must be a whole number from ", min, " to ", max));
  return it->get<uint64_t>();
}

// Answers once the PBX has taken the prompt: play(), then listCalls() as a barrier. Both
// complete on the PBX's event thread, in the order they were started, so a play refused at
// once (no such call or leg, no media yet) has reported by the time the barrier does. A play
// that fails later (a file the media layer cannot decode) is logged: nobody waits for it.
void PlayAndConfirm(CallControl& calls, CallId id, LegId leg, pbx::media::PlayRequest play,
                    json answer, Done done) {
  struct Outcome {
    std::optional<absl::Status> status;
    bool answered = false;
  };
  auto outcome = std::make_shared<Outcome>();
  calls.play(id, leg, std::move(play), [outcome, id](absl::Status status) {
    if (outcome->answered && !status.ok() && !absl::IsCancelled(status))
      pbx::Log(pbx::LogLevel::kWarning, "rest", id.str(),
               absl::StrCat("a prompt the REST API started failed: ", status.message()));
    outcome->status = std::move(status);
  });
  calls.listCalls([outcome, answer = std::move(answer), done](std::vector<pbx::call::CallInfo>) {
    outcome->answered = true;
    if (outcome->status && !outcome->status->ok()) return done(*outcome->status);
    done(answer);
  });
}

// The default recording name: "<linkedid>-<UTC time>-<n>.wav", n counting in this process.
std::string RecordingName(CallId id, const pbx::TimeSource& time) {
  static std::atomic<uint64_t> counter{0};
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(time.systemTime());
  return absl::StrCat(
      id.str(), "-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::FromChrono(seconds), absl::UTCTimeZone()), "-",
      ++counter, ".wav");
}

// The recording id of the path's {recording}.
absl::StatusOr<uint64_t> RecordingOf(const RequestContext& request) {
  auto id = ParseRecordingId(request.param("recording"));
  if (!id)
    return absl::InvalidArgumentError("recording must be the id record answered (a number from 1)");
  return *id;
}

}  // namespace

absl::StatusOr<json> BodyObject(const httplib::Request& request,
                                std::initializer_list<std::string_view> fields) {
  if (request.body.empty()) return json::object();
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return absl::InvalidArgumentError("the body is not valid JSON");
  if (!body.is_object()) return absl::InvalidArgumentError("the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (std::find(fields.begin(), fields.end(), key) != fields.end()) continue;
    std::string known;
    for (std::string_view f : fields) absl::StrAppend(&known, known.empty() ? "" : ", ", View(f));
    return absl::InvalidArgumentError(
        absl::StrCat("unknown field '", key.substr(0, 64), "' (expected: ", known, ")"));
  }
  return body;
}

absl::StatusOr<RecordingMode> ParseRecordingMode(std::string_view name) {
  if (name == "stereo") return RecordingMode::kStereo;
  if (name == "mixed") return RecordingMode::kMixed;
  if (name == "rx") return RecordingMode::kReceiveOnly;
  if (name == "tx") return RecordingMode::kTransmitOnly;
  return absl::InvalidArgumentError("mode must be stereo, mixed, rx or tx");
}

const char* RecordingModeName(RecordingMode mode) {
  switch (mode) {
    case RecordingMode::kStereo:
      return "stereo";
    case RecordingMode::kMixed:
      return "mixed";
    case RecordingMode::kReceiveOnly:
      return "rx";
    case RecordingMode::kTransmitOnly:
      return "tx";
  }
  return "stereo";
}

std::optional<uint64_t> ParseRecordingId(std::string_view text) {
  uint64_t id = 0;
  if (text.empty() || text.size() > 20 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      !absl::SimpleAtoi(View(text), &id) || id == 0)
    return std::nullopt;
  return id;
}

absl::StatusOr<DigitCollection> ParseDigitCollection(const json& body,
                                                     std::chrono::milliseconds longest) {
  DigitCollection c;
  auto max = Number(body, "max_digits", 1, kMaxDigits, 1);
  if (!max.ok()) return max.status();
  auto first = Number(body, "first_digit_timeout_ms", 100, 60000, 5000);
  if (!first.ok()) return first.status();
  auto inter = Number(body, "inter_digit_timeout_ms", 100, 30000, 3000);
  if (!inter.ok()) return inter.status();
  c.maxDigits = *max;
  c.firstDigitTimeout = std::chrono::milliseconds(*first);
  c.interDigitTimeout = std::chrono::milliseconds(*inter);
  if (auto it = body.find("terminators"); it != body.end() && !it->is_null()) {
    const std::string terminators = it->is_string() ? it->get<std::string>() : "?";
    if (terminators.size() > kMaxTerminators ||
        !std::all_of(terminators.begin(), terminators.end(), IsDtmfDigit))
      return absl::InvalidArgumentError(absl::StrCat("terminators must be a string of up to ",
                                                     kMaxTerminators, " of 0-9 * # A-D"));
    c.terminators = terminators;
  }
  if (LongestCollection(c) > longest)
    return absl::InvalidArgumentError(
        absl::StrCat("the collection could last ", LongestCollection(c).count(),
                     " ms (first_digit_timeout_ms"
                     " + (max_digits - 1) * inter_digit_timeout_ms); pbxd waits at most ",
                     longest.count(), " ms"));
  return c;
}

std::chrono::milliseconds LongestCollection(const DigitCollection& collection) {
  const size_t further = collection.maxDigits > 0 ? collection.maxDigits - 1 : 0;
  return collection.firstDigitTimeout + collection.interDigitTimeout * further;
}

json CollectedJson(const CollectedDigits& collected) {
  const char* reason = "timeout";
  switch (collected.reason) {
    case CollectedDigits::Reason::kMaxDigits:
      reason = "max_digits";
      break;
    case CollectedDigits::Reason::kTerminator:
      reason = "terminator";
      break;
    case CollectedDigits::Reason::kTimeout:
      reason = "timeout";
      break;
    case CollectedDigits::Reason::kLegEnded:
      reason = "leg_ended";
      break;
  }
  return {{"digits", collected.digits},
          {"reason", reason},
          {"terminator",
           collected.terminator != 0 ? json(std::string(1, collected.terminator)) : json(nullptr)}};
}

PhoneServices::CallOperation Play(std::shared_ptr<const MediaFiles> files) {
  return [files](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    if (!files->prompts) return done(Off("media.prompts_dir", "plays no prompts"));
    auto body = BodyObject(request.http, {"files", "loop"});
    if (!body.ok()) return done(body.status());
    const json& list = (*body)["files"];
    if (!list.is_array() || list.empty() || list.size() > kMaxPlayFiles)
      return done(absl::InvalidArgumentError(absl::StrCat(
          "files must be a list of 1 to ", kMaxPlayFiles, " file names in the prompts directory")));
    pbx::media::PlayRequest play;
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_string())
        return done(absl::InvalidArgumentError(absl::StrCat("files[", i, "] is not a string")));
      auto path = files->prompts->existingFile(list[i].get<std::string>());
      if (!path.ok())
        return done(absl::Status(path.status().code(),
                                 absl::StrCat("files[", i, "]: ", path.status().message(),
                                              " (in the prompts directory)")));
      play.files.push_back(*std::move(path));
    }
    const json& loop = (*body)["loop"];
    if (!loop.is_null() && !loop.is_boolean())
      return done(absl::InvalidArgumentError("loop must be true or false"));
    play.loop = loop.is_boolean() && loop.get<bool>();
    json answer = {{"files", list}, {"loop", play.loop}};
    WithOptionalLeg(
        calls, request, "leg", id,
        [calls = &calls, id, play, answer, done](LegId leg) {
          PlayAndConfirm(*calls, id, leg, play, answer, done);
        },
        done);
  };
}

PhoneServices::CallOperation StopPlaying() {
  return [](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    WithOptionalLeg(
        calls, request, "leg", id,
        [calls = &calls, id, done](LegId leg) { calls->stopPlaying(id, leg, NoFields(done)); },
        done);
  };
}

PhoneServices::CallOperation StartRecording(std::shared_ptr<const MediaFiles> files,
                                            const pbx::TimeSource& time) {
  return [files, &time](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    if (!files->recordings) return done(Off("media.recordings_dir", "makes no recordings"));
    auto body = BodyObject(request.http, {"file", "mode"});
    if (!body.ok()) return done(body.status());
    pbx::call::RecordingRequest record;
    if (const json& mode = (*body)["mode"]; !mode.is_null()) {
      auto parsed =
          mode.is_string() ? ParseRecordingMode(mode.get<std::string>()) : ParseRecordingMode("");
      if (!parsed.ok()) return done(parsed.status());
      record.mode = *parsed;
    }
    const json& file = (*body)["file"];
    if (!file.is_null() && !file.is_string())
      return done(absl::InvalidArgumentError("file must be a string"));
    const std::string name = file.is_string() ? file.get<std::string>() : RecordingName(id, time);
    auto path = files->recordings->newFile(name, ".wav");
    if (!path.ok())
      return done(
          absl::Status(path.status().code(),
                       absl::StrCat(path.status().message(), " (in the recordings directory)")));
    record.path = *std::move(path);
    json answer = {{"file", name}, {"mode", RecordingModeName(record.mode)}};
    WithOptionalLeg(
        calls, request, "leg", id,
        [calls = &calls, id, record, answer, done](LegId leg) mutable {
          record.leg = leg;
          calls->startRecording(id, record, [answer, done](absl::StatusOr<uint64_t> recording) {
            if (!recording.ok()) return done(recording.status());
            json out = answer;
            out["recording"] = *recording;
            done(out);
          });
        },
        done);
  };
}

PhoneServices::CallOperation PauseRecording(bool paused) {
  return [paused](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    auto recording = RecordingOf(request);
    if (!recording.ok()) return done(recording.status());
    calls.pauseRecording(id, *recording, paused, [recording = *recording, done](absl::Status s) {
      if (!s.ok()) return done(s);
      done(json{{"recording", recording}});
    });
  };
}

PhoneServices::CallOperation StopRecording() {
  return [](CallControl& calls, const RequestContext& request, CallId id, Done done) {
    auto recording = RecordingOf(request);
    if (!recording.ok()) return done(recording.status());
    calls.stopRecording(id, *recording, [recording = *recording, done](absl::Status s) {
      if (!s.ok()) return done(s);
      done(json{{"recording", recording}});
    });
  };
}

}  // namespace pbxd::rest::operations
