// Office documents (doc, docx, odt, rtf) become PDF through LibreOffice in headless mode,
// run as a separate process group with its own throw-away profile directory and a deadline.
// LibreOffice is optional: without it the conversion fails with FailedPrecondition naming
// the Debian package to install.
//
//   PBX_ASSIGN_OR_RETURN(std::string pdf, ConvertOfficeToPdf("letter.docx", work_dir, limits,
//                                                            time, /*soffice_path=*/""));
//
// Thread-safety: may be called concurrently (each call uses its own profile directory).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "lib/fax/documents/decoder_process.h"

namespace pbx::fax::internal {

// The soffice binary: `configured` if non-empty, else `soffice` / `libreoffice` from PATH.
absl::StatusOr<std::string> FindSoffice(const std::string& configured);

// Converts `input` into a PDF inside `work_dir` (which must exist) and returns its path.
// `time` is the clock `limits.deadline` is measured on.
absl::StatusOr<std::string> ConvertOfficeToPdf(const std::string& input,
                                               const std::string& work_dir,
                                               const ChildLimits& limits, const TimeSource& time,
                                               const std::string& soffice_path);

}  // namespace pbx::fax::internal
