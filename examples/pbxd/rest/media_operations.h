// The operations behind the media endpoints (media_services.h): prompts played to a leg,
// recordings of a call, and the parsing of what a client asks for (JSON bodies, recording
// modes and ids, digit collections). Files are named relative to pbxd's prompts and
// recordings directories (MediaDirectory): a name that leads out of them is a 400 before
// anything reaches the PBX.
//
//   auto files = std::make_shared<const MediaFiles>(MediaFiles{prompts, recordings});
//   router.add({"POST"}, "/rest/phoneServices/play/{linkedid}",
//              CallOperationHandler(calls, timeout, operations::Play(files)));
//
// Thread-safety: as phone_operations.h: no state but the recording-name counter (atomic).
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "examples/pbxd/media_directory.h"
#include "examples/pbxd/rest/phone_services.h"
#include "pbx/base/time_source.h"
#include "pbx/call/call_media.h"

namespace pbxd::rest {

// The directories REST clients name files in; a missing one turns its endpoints off (501).
struct MediaFiles {
  std::optional<MediaDirectory> prompts;
  std::optional<MediaDirectory> recordings;
};

namespace operations {

// Body {"files": ["welcome.wav", ...] (1 to 16, in prompts_dir), "loop": false}; ?leg= (default:
// the call's anchor, its caller). Answers {"files": [...], "loop": ...} once the PBX has the
// prompt (the call, the leg and its media exist); it plays on after the answer.
PhoneServices::CallOperation Play(std::shared_ptr<const MediaFiles> files);
// ?leg=: stops what plays to the leg (nothing playing is not an error).
PhoneServices::CallOperation StopPlaying();
// Body {"file": "NAME.wav" (in recordings_dir; default <linkedid>-<UTC time>-<n>.wav), "mode":
// "stereo" (default), "mixed", "rx" or "tx"}; ?leg= (the recorded leg; default the anchor).
// Answers {"recording": <id>, "file": NAME, "mode": ...}. `time` names the default files.
PhoneServices::CallOperation StartRecording(std::shared_ptr<const MediaFiles> files,
                                            const pbx::TimeSource& time);
// {recording}: the id StartRecording answered.
PhoneServices::CallOperation PauseRecording(bool paused);
PhoneServices::CallOperation StopRecording();

// The request's body as a JSON object with no fields but `fields` (an empty body is {});
// InvalidArgument for anything else, naming the field.
absl::StatusOr<nlohmann::json> BodyObject(const httplib::Request& request,
                                          std::initializer_list<std::string_view> fields);
// "stereo", "mixed", "rx" (what the leg's phone said), "tx" (what it heard).
absl::StatusOr<pbx::media::RecordingMode> ParseRecordingMode(std::string_view name);
const char* RecordingModeName(pbx::media::RecordingMode mode);
// A recording id as StartRecording answers it: a decimal number from 1.
std::optional<uint64_t> ParseRecordingId(std::string_view text);

// Body {"max_digits": 1-64 (default 1), "first_digit_timeout_ms": 100-60000 (5000),
// "inter_digit_timeout_ms": 100-30000 (3000), "terminators": "#" (up to 16 of 0-9*#A-D; "" for
// none)}; InvalidArgument when a field is wrong or the collection could last longer than
// `longest`.
absl::StatusOr<pbx::call::DigitCollection> ParseDigitCollection(const nlohmann::json& body,
                                                                std::chrono::milliseconds longest);
// How long `collection` can last at most: the first timeout and an inter-digit timeout for
// each further digit.
std::chrono::milliseconds LongestCollection(const pbx::call::DigitCollection& collection);
// {"digits": "12", "reason": "max_digits|terminator|timeout|leg_ended", "terminator": "#"|null}
nlohmann::json CollectedJson(const pbx::call::CollectedDigits& collected);

}  // namespace operations
}  // namespace pbxd::rest
