// Sandboxed decoding: runs DecodeDocument() in a forked child process with an address-space
// and CPU limit, and streams the finished pages back through a pipe. A crash, hang or
// memory blow-up inside Poppler or libtiff then only ends the child; the caller gets an
// error Status, and the child is always killed and reaped before the call returns.
//
//   PBX_RETURN_IF_ERROR(
//       DecodeInChildProcess(path, DocumentType::kPdf, options, limits, time, sink));
//
// The child is forked without exec: it must not touch locks other threads of the parent
// may hold. Document conversion only uses Poppler and libtiff inside children, so those
// libraries' state in the parent is never mid-operation; glibc keeps malloc usable after
// fork.
//
// Thread-safety: may be called concurrently from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "lib/fax/documents/document_decoder.h"
#include "pbx/base/time_source.h"

namespace pbx::fax::internal {

struct ChildLimits {
  MonotonicTime deadline;  // on the TimeSource passed with the limits
  std::int64_t memory_bytes = 1LL << 30;
};

// `time` is the clock `limits.deadline` is measured on.
absl::Status DecodeInChildProcess(const std::string& path, DocumentType type,
                                  const DecodeOptions& options, const ChildLimits& limits,
                                  const TimeSource& time, PageSink& sink);

}  // namespace pbx::fax::internal
