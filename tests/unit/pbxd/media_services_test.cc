// The media endpoints (play, stopPlaying, collectDigits, record and its pause, resume, stop)
// through pbxd's router over a simulated PBX whose phones send real audio: what is refused
// before the PBX (400, with the file names that leave the directories), what the phones hear,
// what the recordings hold, and the digit collection's long poll.
#include <doctest/doctest.h>
#include <httplib.h>
#include <stdlib.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <vector>

#include "examples/pbxd/rest/media_operations.h"
#include "tests/unit/pbxd/rest_fixture.h"

using namespace std::chrono_literals;
using nlohmann::json;
using pbx::call::CallEventType;
using pbx::media::DtmfMethod;
using pbxd::rest::RestApi;
using pbxd::rest::test::RestFixture;
namespace fs = std::filesystem;

namespace {

constexpr int kRate = 8000;

void Put16(std::ofstream& out, uint16_t v) { out.put(char(v & 0xFF)).put(char(v >> 8)); }
void Put32(std::ofstream& out, uint32_t v) {
  Put16(out, uint16_t(v & 0xFFFF));
  Put16(out, uint16_t(v >> 16));
}

// A mono 16-bit WAV of a sine at `hz`.
void WriteSine(const fs::path& path, int hz, double seconds) {
  const uint32_t samples = uint32_t(seconds * kRate);
  std::ofstream out(path, std::ios::binary);
  out.write("RIFF", 4);
  Put32(out, 36 + samples * 2);
  out.write("WAVEfmt ", 8);
  Put32(out, 16);
  Put16(out, 1);
  Put16(out, 1);
  Put32(out, kRate);
  Put32(out, kRate * 2);
  Put16(out, 2);
  Put16(out, 16);
  out.write("data", 4);
  Put32(out, samples * 2);
  for (uint32_t i = 0; i < samples; ++i)
    Put16(out, uint16_t(int16_t(8000 * std::sin(2 * M_PI * hz * i / kRate))));
}

// The first channel of a 16-bit PCM WAV, and its rate; empty when it is not one.
std::vector<int16_t> ReadWav(const fs::path& path, int* rate) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  auto u16 = [&](size_t at) { return uint16_t(uint8_t(bytes[at]) | uint8_t(bytes[at + 1]) << 8); };
  auto u32 = [&](size_t at) { return uint32_t(u16(at) | uint32_t(u16(at + 2)) << 16); };
  std::vector<int16_t> samples;
  size_t channels = 1;
  for (size_t at = 12; at + 8 <= bytes.size();) {
    const uint32_t size = u32(at + 4);
    if (std::memcmp(&bytes[at], "fmt ", 4) == 0) {
      channels = u16(at + 10);
      *rate = int(u32(at + 12));
    } else if (std::memcmp(&bytes[at], "data", 4) == 0) {
      for (size_t i = at + 8; i + 2 * channels <= at + 8 + size && i + 2 <= bytes.size();
           i += 2 * channels)
        samples.push_back(int16_t(u16(i)));
    }
    at += 8 + size + (size & 1);
  }
  return samples;
}

// The frequency of a tone from its upward zero crossings; 0 for silence.
double Frequency(const std::vector<int16_t>& samples, int rate) {
  size_t crossings = 0, first = 0, last = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    if (samples[i - 1] < 0 && samples[i] >= 0) {
      if (crossings++ == 0) first = i;
      last = i;
    }
  }
  return crossings < 10 ? 0 : double(crossings - 1) * rate / double(last - first);
}

bool Near(double measured, double expected) {
  return std::abs(measured - expected) < expected * 0.02;
}

// A temp dir with prompts/ and recordings/ opened as the API's media directories.
struct MediaDirs {
  MediaDirs() {
    std::string pattern = (fs::temp_directory_path() / "pbxd-rest-media-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    base = pattern;
    using Access = pbxd::MediaDirectory::Access;
    auto prompts = pbxd::MediaDirectory::Open((base / "prompts").string(), "p", Access::kRead);
    auto recordings =
        pbxd::MediaDirectory::Open((base / "recordings").string(), "r", Access::kWrite);
    REQUIRE(prompts.ok());
    REQUIRE(recordings.ok());
    options.media.prompts = *prompts;
    options.media.recordings = *recordings;
    WriteSine(base / "prompts" / "tone700.wav", 700, 2.0);
    fs::create_directories(base / "outside");
  }
  ~MediaDirs() {
    std::error_code ignored;
    fs::remove_all(base, ignored);
  }
  fs::path base;
  RestApi::Options options = pbxd::rest::test::FastOptions();
};

// Alice (PCMU, a 1000 Hz tone) called Bob (PCMU, 440 Hz) and Bob answered.
struct MediaRest : MediaDirs, RestFixture {
  MediaRest() : RestFixture(options) {
    for (auto* phone : {&alice, &bob}) {
      phone->options().audio = true;
      phone->options().codecs = {"PCMU"};
    }
    auto s = pbx.calls().events().subscribe(
        {}, std::nullopt, [this](const pbx::call::CallEvent& e) { events.push_back(e.type); });
    REQUIRE(s.ok());
    subscription = std::move(*s);
    auto& out = alice.call("101");
    pbx.runPending();
    in = bob.incoming();
    REQUIRE(in != nullptr);
    in->answer();
    pbx.runPending();
    caller = &out;
    caller->playTone(1000);
    in->playTone(440);
    pbx.calls().listCalls([&](std::vector<pbx::call::CallInfo> calls) {
      REQUIRE(calls.size() == 1);
      linkedid = calls[0].id.str();
    });
    pbx.runPending();
  }

  // Dispatches on a thread of its own while this one runs the PBX on simulated time, calling
  // `each` every 20 ms of it; gives up after `limit` of simulated time.
  httplib::Response run(const httplib::Request& request, const std::function<void()>& each = {},
                        std::chrono::milliseconds limit = 20s) {
    httplib::Response response;
    std::atomic<bool> done{false};
    std::thread http([&] {
      api->router().dispatch(request, response);
      done = true;
    });
    for (auto t = 0ms; !done && t < limit; t += 20ms) {
      pbx.runPending();
      if (each) each();
      pbx.advance(20ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!done) api->stop();  // a hung collection: answered 503 at once
    http.join();
    pbx.runPending();
    return response;
  }

  // A signed POST of `body` (JSON text) to `target`.
  httplib::Request signedPost(const std::string& target, const std::string& body) {
    return request("POST", target, body, authHeader());
  }
  // The same, answered while the PBX runs (without advancing its time).
  httplib::Response post(const std::string& target, const json& body = json()) {
    httplib::Response response;
    call(signedPost(target, body.is_null() ? std::string() : body.dump()), response);
    return response;
  }

  bool saw(CallEventType type) const {
    return std::find(events.begin(), events.end(), type) != events.end();
  }

  std::string linkedid;
  pbx::testing::SimCall* caller = nullptr;
  pbx::testing::SimCall* in = nullptr;
  std::vector<CallEventType> events;
  pbx::call::EventSubscriptionPtr subscription;
};

const std::string kOps = "/rest/phoneServices/";

void CheckError(const httplib::Response& response, int status, const std::string& part = "") {
  CAPTURE(response.body);
  CHECK(response.status == status);
  json body = RestFixture::Body(response);
  CHECK(body["code"] == status);
  CHECK(body["error"].get<std::string>().find(part) != std::string::npos);
}

}  // namespace

TEST_CASE("without media directories, play and record answer 501") {
  RestFixture t;
  httplib::Response play, record;
  t.dispatch(t.request("POST", kOps + "play/C1", R"({"files": ["x.wav"]})", t.authHeader()), play);
  t.dispatch(t.request("POST", kOps + "record/C1", "", t.authHeader()), record);
  CheckError(play, 501, "media.prompts_dir");
  CheckError(record, 501, "media.recordings_dir");
}

TEST_CASE("malformed media requests are refused with 400 before anything reaches the PBX") {
  MediaRest t;
  fs::create_directory_symlink(t.base / "outside", t.base / "recordings" / "out");
  fs::create_symlink(t.base / "outside" / "x.wav", t.base / "prompts" / "leak.wav");
  WriteSine(t.base / "outside" / "x.wav", 500, 0.1);
  const std::string play = kOps + "play/" + t.linkedid;
  const std::string record = kOps + "record/" + t.linkedid;
  const std::string collect = kOps + "collectDigits/" + t.linkedid;
  const std::pair<std::string, std::string> refused[] = {
      {play, ""},
      {play, "[1]"},
      {play, "not json"},
      {play, R"({"files": []})"},
      {play, R"({"files": "tone700.wav"})"},
      {play, R"({"files": [7]})"},
      {play, R"({"files": ["tone700.wav"], "loop": "yes"})"},
      {play, R"({"files": ["tone700.wav"], "volume": 3})"},
      {play, R"({"files": ["../outside/x.wav"]})"},
      {play, R"({"files": ["tone700.wav", "/etc/passwd"]})"},
      {play, R"({"files": ["leak.wav"]})"},
      {record, R"({"file": "../outside/x.wav"})"},
      {record, R"({"file": "/tmp/x.wav"})"},
      {record, R"({"file": "out/x.wav"})"},
      {record, R"({"file": "x.mp3"})"},
      {record, R"({"file": 3})"},
      {record, R"({"mode": "quad"})"},
      {collect, R"({"max_digits": 0})"},
      {collect, R"({"max_digits": 65})"},
      {collect, R"({"max_digits": -1})"},
      {collect, R"({"first_digit_timeout_ms": 1.5})"},
      {collect, R"({"terminators": "x"})"},
      {collect, R"({"max_digits": 20, "inter_digit_timeout_ms": 30000})"},
      {kOps + "stopRecording/" + t.linkedid + "/abc", ""},
      {kOps + "pauseRecording/" + t.linkedid + "/0", ""},
      {play + "?leg=nobody", R"({"files": ["tone700.wav"]})"},
      {collect + "?leg=nobody", ""},
  };
  for (const auto& [target, body] : refused) {
    CAPTURE(target);
    CAPTURE(body);
    httplib::Response response;
    t.dispatch(t.signedPost(target, body), response);
    CheckError(response, 400);
  }
  CHECK_FALSE(t.saw(CallEventType::kRecordingStarted));
  CHECK(fs::file_size(t.base / "outside" / "x.wav") == 44 + 2 * 800);  // untouched
}

TEST_CASE("a missing prompt or call is a 404; a prompt plays to the leg asked for") {
  MediaRest t;
  CheckError(t.post(kOps + "play/" + t.linkedid, {{"files", {"missing.wav"}}}), 404,
             "files[0]: no file 'missing.wav'");
  CheckError(t.post(kOps + "play/C99", {{"files", {"tone700.wav"}}}), 404);

  httplib::Response played = t.post(kOps + "play/" + t.linkedid + "?leg=callee",
                                    {{"files", {"tone700.wav"}}, {"loop", true}});
  REQUIRE(played.status == 200);
  CHECK(RestFixture::Body(played) ==
        json{{"linkedid", t.linkedid}, {"files", {"tone700.wav"}}, {"loop", true}});
  t.pbx.advance(1s);
  CHECK(Near(t.in->receivedFrequency(), 700));      // Bob hears the prompt
  CHECK(Near(t.caller->receivedFrequency(), 440));  // Alice still hears Bob

  CHECK(t.post(kOps + "stopPlaying/" + t.linkedid + "?leg=callee").status == 200);
  t.pbx.advance(1s);
  CHECK(Near(t.in->receivedFrequency(), 1000));  // Bob hears Alice again
}

TEST_CASE("a recording through REST holds what the recorded leg said, and stops with an event") {
  MediaRest t;
  httplib::Response started =
      t.post(kOps + "record/" + t.linkedid + "?leg=caller", {{"file", "call.wav"}, {"mode", "rx"}});
  REQUIRE(started.status == 200);
  json body = RestFixture::Body(started);
  CHECK(body["file"] == "call.wav");
  CHECK(body["mode"] == "rx");
  REQUIRE(body["recording"].is_number_unsigned());
  const std::string id = std::to_string(body["recording"].get<uint64_t>());
  t.pbx.advance(1s);
  CHECK(t.post(kOps + "pauseRecording/" + t.linkedid + "/" + id).status == 200);
  CHECK(t.post(kOps + "resumeRecording/" + t.linkedid + "/" + id).status == 200);
  t.pbx.advance(1s);
  httplib::Response stopped = t.post(kOps + "stopRecording/" + t.linkedid + "/" + id);
  CHECK(stopped.status == 200);
  CHECK(RestFixture::Body(stopped) ==
        json{{"linkedid", t.linkedid}, {"recording", std::stoull(id)}});
  for (int i = 0; i < 100 && !t.saw(CallEventType::kRecordingStopped); ++i) {
    t.pbx.advance(20ms);
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(t.saw(CallEventType::kRecordingStopped));
  CheckError(t.post(kOps + "stopRecording/" + t.linkedid + "/" + id), 404);

  int rate = 0;
  std::vector<int16_t> samples = ReadWav(t.base / "recordings" / "call.wav", &rate);
  REQUIRE(rate > 0);
  CHECK(samples.size() >= size_t(rate));  // over a second of the two
  CHECK(Near(Frequency(samples, rate), 1000));

  // Without a name, pbxd names it after the call.
  httplib::Response unnamed = t.post(kOps + "record/" + t.linkedid);
  REQUIRE(unnamed.status == 200);
  const std::string file = RestFixture::Body(unnamed)["file"];
  CHECK(file.rfind(t.linkedid + "-", 0) == 0);
  CHECK(RestFixture::Body(unnamed)["mode"] == "stereo");
}

TEST_CASE("collectDigits answers when the collection ends: max digits, terminator, timeout") {
  MediaRest t;
  const std::string collect = kOps + "collectDigits/" + t.linkedid + "?leg=callee";
  // Bob keeps pressing 4 until the answer comes: the digits before the collection started are
  // not part of it, so the outcome does not depend on when it started.
  auto pressing = [&](char digit) {
    return [&t, digit] { t.in->sendDtmf(digit, DtmfMethod::kInfo); };
  };
  httplib::Response two = t.run(t.signedPost(collect, R"({"max_digits": 2})"), pressing('4'));
  REQUIRE(two.status == 200);
  CHECK(RestFixture::Body(two) == json{{"linkedid", t.linkedid},
                                       {"digits", "44"},
                                       {"reason", "max_digits"},
                                       {"terminator", nullptr}});

  httplib::Response ended =
      t.run(t.signedPost(collect, R"({"max_digits": 5, "terminators": "*"})"), pressing('*'));
  REQUIRE(ended.status == 200);
  CHECK(RestFixture::Body(ended)["reason"] == "terminator");
  CHECK(RestFixture::Body(ended)["terminator"] == "*");
  CHECK(RestFixture::Body(ended)["digits"] == "");

  httplib::Response quiet =
      t.run(t.signedPost(collect, R"({"max_digits": 3, "first_digit_timeout_ms": 500})"));
  REQUIRE(quiet.status == 200);
  CHECK(RestFixture::Body(quiet)["reason"] == "timeout");
  CHECK(RestFixture::Body(quiet)["digits"] == "");

  CheckError(t.run(t.signedPost(kOps + "collectDigits/C99", "")), 404);
}

TEST_CASE("a stopping API answers the digit collections waiting with 503") {
  MediaRest t;
  httplib::Response response;
  std::atomic<bool> done{false};
  std::thread http([&] {
    t.api->router().dispatch(
        t.signedPost(kOps + "collectDigits/" + t.linkedid, R"({"first_digit_timeout_ms": 60000})"),
        response);
    done = true;
  });
  for (int i = 0; i < 50; ++i) {
    t.pbx.runPending();
    std::this_thread::sleep_for(1ms);
  }
  t.api->stop();
  while (!done) {
    t.pbx.runPending();
    std::this_thread::sleep_for(1ms);
  }
  http.join();
  CheckError(response, 503, "stopping");
}
