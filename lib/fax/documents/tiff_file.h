// TiffFile: an open libtiff handle that owns its TIFF*, collects libtiff's error messages
// (instead of letting libtiff print them) and can live on a file or an in-memory buffer.
//
//   PBX_ASSIGN_OR_RETURN(std::unique_ptr<TiffFile> tiff, TiffFile::Open(path, "r"));
//   PBX_ASSIGN_OR_RETURN(Bitmap stored, ReadBilevelImage(*tiff));
//
// Thread-safety: one TiffFile per thread; distinct files may be used concurrently.
#pragma once

#include <tiffio.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/fax/documents/bitmap.h"
#include "pbx/fax/fax_page_format.h"

namespace pbx::fax::internal {

class TiffFile {
 public:
  // `mode` as for TIFFOpen ("r", "w"). The file is closed by the destructor.
  static absl::StatusOr<std::unique_ptr<TiffFile>> Open(const std::string& path, const char* mode);
  // Reads from / writes to `*buffer`, which must outlive the TiffFile.
  static absl::StatusOr<std::unique_ptr<TiffFile>> OpenMemory(std::string* buffer,
                                                              const char* mode);
  ~TiffFile();
  TiffFile(const TiffFile&) = delete;
  TiffFile& operator=(const TiffFile&) = delete;

  TIFF* get() const { return tiff_; }
  // Flushes and closes early; returns an error if libtiff reported one while writing.
  absl::Status close();
  // A Status of `code` saying `what`, with libtiff's last message appended.
  absl::Status error(absl::StatusCode code, absl::string_view what) const;

  // State of an in-memory file, handed to libtiff's I/O callbacks.
  struct Memory {
    std::string* data = nullptr;
    std::uint64_t position = 0;
  };

 private:
  TiffFile() = default;
  static int OnMessage(TIFF*, void* self, const char* module, const char* fmt, va_list args);

  TIFF* tiff_ = nullptr;
  std::string last_error_;
  Memory memory_;
};

// Reads the current directory of a bilevel (1 bit per sample, 1 sample) strip image in
// stored order, as a Bitmap with set bits black (min-is-black files are inverted). Any
// compression and fill order libtiff supports.
absl::StatusOr<Bitmap> ReadBilevelImage(TiffFile& tiff);

// Appends `page` as one directory of a TIFF-F file (single strip, min-is-white, 204 dpi
// across, `lines_per_inch` down).
absl::Status WriteFaxDirectory(TiffFile& tiff, const Bitmap& page, int lines_per_inch,
                               FaxCompression compression, int page_index, int page_count);

// A bitmap as one ITU-T T.6 (G4) coded strip, bits MSB first: what a PDF
// /CCITTFaxDecode filter with /K -1 expects.
absl::StatusOr<std::string> EncodeG4(const Bitmap& bitmap);
// The inverse: decodes G4 data of a `columns` x `rows` image (set bits black).
absl::StatusOr<Bitmap> DecodeG4(const std::string& data, int columns, int rows);

// The resolution of the current directory in dots per inch (0 when absent).
void ReadResolution(TIFF* tiff, double* x_dpi, double* y_dpi);

}  // namespace pbx::fax::internal
