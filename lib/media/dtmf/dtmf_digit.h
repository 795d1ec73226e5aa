// DtmfDigit: one key press as every DTMF path reports it, whether it came as RFC 4733
// telephone-events, a SIP INFO body or tones in the audio; and the RFC 4733 event codes
// 0-15 that name the sixteen keys.
//
//   DtmfDigit digit{.digit = '#', .duration = std::chrono::milliseconds(120), .volume = 10};
//   int event = DtmfEventForDigit('#');            // 11
//   std::optional<char> key = DtmfDigitForEvent(11);  // '#'
//
// Thread-safety: value types and pure functions.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace pbx::media::internal {

struct DtmfDigit {
  char digit = 0;  // '0'-'9', '*', '#', 'A'-'D'
  std::chrono::milliseconds duration{0};
  // Power in -dBm0 (RFC 4733's volume field): 10 means -10 dBm0; 0..63.
  uint8_t volume = 0;
};

// What a sender uses when the source says nothing about level (SIP INFO, an API call).
inline constexpr uint8_t kDefaultDtmfVolume = 10;

// '0'..'9' are events 0..9, then '*' 10, '#' 11, 'A'..'D' 12..15 (RFC 4733 section 3.2).
inline std::optional<char> DtmfDigitForEvent(int event) {
  static constexpr char kDigits[] = "0123456789*#ABCD";
  if (event < 0 || event > 15) return std::nullopt;
  return kDigits[event];
}

// -1 for a character that is not a DTMF key; 'a'..'d' count as 'A'..'D'.
inline int DtmfEventForDigit(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit == '*') return 10;
  if (digit == '#') return 11;
  if (digit >= 'A' && digit <= 'D') return 12 + (digit - 'A');
  if (digit >= 'a' && digit <= 'd') return 12 + (digit - 'a');
  return -1;
}

// What one packet or frame told a DTMF receiver. At most two digits complete at once: an
// earlier press whose end was lost, closed by the arrival of the next, and that next press.
struct DtmfEvents {
  // A key went down (the first packet of an event, or the tone was recognised): lets a prompt
  // stop playing before the key is released. Reported once per press.
  std::optional<char> started;

  void add(const DtmfDigit& digit) {
    if (count_ < digits_.size()) digits_[count_++] = digit;
  }
  // Keys released, oldest first.
  std::span<const DtmfDigit> completed() const { return {digits_.data(), count_}; }
  bool empty() const { return !started && count_ == 0; }

 private:
  std::array<DtmfDigit, 2> digits_{};
  size_t count_ = 0;
};

}  // namespace pbx::media::internal
