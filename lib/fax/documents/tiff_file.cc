#include "lib/fax/documents/tiff_file.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace pbx::fax::internal {
namespace {

tmsize_t MemoryRead(thandle_t handle, void* buffer, tmsize_t size) {
  auto* m = static_cast<TiffFile::Memory*>(handle);
  const std::uint64_t available = m->data->size() > m->position ? m->data->size() - m->position : 0;
  const std::uint64_t n = std::min<std::uint64_t>(available, static_cast<std::uint64_t>(size));
  std::memcpy(buffer, m->data->data() + m->position, n);
  m->position += n;
  return static_cast<tmsize_t>(n);
}

tmsize_t MemoryWrite(thandle_t handle, void* buffer, tmsize_t size) {
  auto* m = static_cast<TiffFile::Memory*>(handle);
  const std::uint64_t end = m->position + static_cast<std::uint64_t>(size);
  if (end > m->data->size()) m->data->resize(end);
  std::memcpy(m->data->data() + m->position, buffer, static_cast<std::size_t>(size));
  m->position = end;
  return size;
}

toff_t MemorySeek(thandle_t handle, toff_t offset, int whence) {
  auto* m = static_cast<TiffFile::Memory*>(handle);
  std::uint64_t base = 0;
  if (whence == SEEK_CUR) base = m->position;
  if (whence == SEEK_END) base = m->data->size();
  m->position = base + offset;
  return m->position;
}

int MemoryClose(thandle_t) { return 0; }
toff_t MemorySize(thandle_t handle) { return static_cast<TiffFile::Memory*>(handle)->data->size(); }
int NoMap(thandle_t, void**, toff_t*) { return 0; }
void NoUnmap(thandle_t, void*, toff_t) {}

}  // namespace

int TiffFile::OnMessage(TIFF*, void* self, const char* module, const char* fmt, va_list args) {
  if (self == nullptr) return 1;
  char text[512];
  std::vsnprintf(text, sizeof(text), fmt, args);
  static_cast<TiffFile*>(self)->last_error_ =
      module != nullptr ? absl::StrCat(module, ": ", text) : std::string(text);
  return 1;
}

namespace {
int IgnoreWarning(TIFF*, void*, const char*, const char*, va_list) { return 1; }
}  // namespace

absl::StatusOr<std::unique_ptr<TiffFile>> TiffFile::Open(const std::string& path,
                                                         const char* mode) {
  std::unique_ptr<TiffFile> file(new TiffFile());
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, &TiffFile::OnMessage, file.get());
  TIFFOpenOptionsSetWarningHandlerExtR(options, &IgnoreWarning, nullptr);
  file->tiff_ = TIFFOpenExt(path.c_str(), mode, options);
  TIFFOpenOptionsFree(options);
  if (file->tiff_ == nullptr) {
    return file->error(absl::StatusCode::kInvalidArgument,
                       absl::StrCat("cannot open TIFF '", path, "'"));
  }
  return file;
}

absl::StatusOr<std::unique_ptr<TiffFile>> TiffFile::OpenMemory(std::string* buffer,
                                                               const char* mode) {
  std::unique_ptr<TiffFile> file(new TiffFile());
  file->memory_.data = buffer;
  thandle_t handle = &file->memory_;
  TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
  TIFFOpenOptionsSetErrorHandlerExtR(options, &TiffFile::OnMessage, file.get());
  TIFFOpenOptionsSetWarningHandlerExtR(options, &IgnoreWarning, nullptr);
  file->tiff_ = TIFFClientOpenExt("memory", mode, handle, MemoryRead, MemoryWrite, MemorySeek,
                                  MemoryClose, MemorySize, NoMap, NoUnmap, options);
  TIFFOpenOptionsFree(options);
  if (file->tiff_ == nullptr) {
    return file->error(absl::StatusCode::kInvalidArgument, "cannot open in-memory TIFF");
  }
  return file;
}

TiffFile::~TiffFile() {
  if (tiff_ != nullptr) TIFFClose(tiff_);
}

absl::Status TiffFile::close() {
  if (tiff_ == nullptr) return absl::OkStatus();
  const int flushed = TIFFFlush(tiff_);
  TIFFClose(tiff_);
  tiff_ = nullptr;
  if (flushed != 1) return error(absl::StatusCode::kInternal, "cannot write TIFF");
  return absl::OkStatus();
}

absl::Status TiffFile::error(absl::StatusCode code, absl::string_view what) const {
  if (last_error_.empty()) return absl::Status(code, what);
  return absl::Status(code, absl::StrCat(what, " (libtiff: ", last_error_, ")"));
}

void ReadResolution(TIFF* tiff, double* x_dpi, double* y_dpi) {
  float x = 0, y = 0;
  std::uint16_t unit = RESUNIT_INCH;
  *x_dpi = *y_dpi = 0;
  if (!TIFFGetField(tiff, TIFFTAG_XRESOLUTION, &x) ||
      !TIFFGetField(tiff, TIFFTAG_YRESOLUTION, &y)) {
    return;
  }
  TIFFGetFieldDefaulted(tiff, TIFFTAG_RESOLUTIONUNIT, &unit);
  if (unit == RESUNIT_NONE || !(x > 0) || !(y > 0) || x > 1e5 || y > 1e5) return;
  const double factor = unit == RESUNIT_CENTIMETER ? 2.54 : 1.0;
  *x_dpi = x * factor;
  *y_dpi = y * factor;
}

absl::StatusOr<Bitmap> ReadBilevelImage(TiffFile& tiff) {
  TIFF* t = tiff.get();
  std::uint32_t width = 0, length = 0;
  std::uint16_t photometric = PHOTOMETRIC_MINISWHITE;
  TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(t, TIFFTAG_IMAGELENGTH, &length);
  TIFFGetFieldDefaulted(t, TIFFTAG_PHOTOMETRIC, &photometric);
  if (width == 0 || length == 0 || TIFFIsTiled(t)) {
    return absl::InvalidArgumentError("not a bilevel strip image");
  }
  Bitmap bitmap = Bitmap::Blank(static_cast<int>(width), static_cast<int>(length));
  if (TIFFScanlineSize64(t) != static_cast<std::uint64_t>(bitmap.stride)) {
    return absl::InvalidArgumentError("unexpected TIFF scanline size for a bilevel image");
  }
  std::uint32_t rows_per_strip = length;
  TIFFGetFieldDefaulted(t, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
  if (rows_per_strip == 0 || rows_per_strip > length) rows_per_strip = length;
  const std::uint32_t strips = TIFFNumberOfStrips(t);
  for (std::uint32_t s = 0; s < strips; ++s) {
    const std::uint64_t first_row = static_cast<std::uint64_t>(s) * rows_per_strip;
    if (first_row >= length) break;
    const std::uint64_t rows = std::min<std::uint64_t>(rows_per_strip, length - first_row);
    const tmsize_t got = TIFFReadEncodedStrip(t, s, bitmap.row(static_cast<int>(first_row)),
                                              static_cast<tmsize_t>(rows * bitmap.stride));
    if (got < 0) {
      return tiff.error(absl::StatusCode::kInvalidArgument,
                        absl::StrCat("corrupt TIFF image data in strip ", s));
    }
  }
  if (photometric == PHOTOMETRIC_MINISBLACK) {
    for (auto& byte : bitmap.bits) byte = static_cast<std::uint8_t>(~byte);
  }
  // Clear the padding bits past the last column so pixel counts stay exact.
  if (bitmap.width % 8 != 0) {
    const std::uint8_t keep = static_cast<std::uint8_t>(0xFF00 >> (bitmap.width % 8));
    for (int y = 0; y < bitmap.rows; ++y) bitmap.row(y)[bitmap.stride - 1] &= keep;
  }
  return bitmap;
}

absl::Status WriteFaxDirectory(TiffFile& tiff, const Bitmap& page, int lines_per_inch,
                               FaxCompression compression, int page_index, int page_count) {
  TIFF* t = tiff.get();
  TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(page.width));
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(page.rows));
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
  TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
  TIFFSetField(t, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
  switch (compression) {
    case FaxCompression::kG4:
      TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
      TIFFSetField(t, TIFFTAG_GROUP4OPTIONS, 0);
      break;
    case FaxCompression::kG3_2D:
      TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
      TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, GROUP3OPT_2DENCODING | GROUP3OPT_FILLBITS);
      break;
    case FaxCompression::kG3_1D:
      TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
      TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, GROUP3OPT_FILLBITS);
      break;
  }
  TIFFSetField(t, TIFFTAG_XRESOLUTION, static_cast<float>(kFaxHorizontalDpi));
  TIFFSetField(t, TIFFTAG_YRESOLUTION, static_cast<float>(lines_per_inch));
  TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, static_cast<std::uint32_t>(page.rows));
  TIFFSetField(t, TIFFTAG_PAGENUMBER, static_cast<std::uint16_t>(page_index),
               static_cast<std::uint16_t>(page_count));
  TIFFSetField(t, TIFFTAG_SOFTWARE, "pbxkit");
  // libtiff encodes in place on some paths, so hand it a copy.
  std::vector<std::uint8_t> data = page.bits;
  if (TIFFWriteEncodedStrip(t, 0, data.data(), static_cast<tmsize_t>(data.size())) < 0 ||
      !TIFFWriteDirectory(t)) {
    return tiff.error(absl::StatusCode::kInternal, "cannot write fax page");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> EncodeG4(const Bitmap& bitmap) {
  std::string buffer;
  {
    absl::StatusOr<std::unique_ptr<TiffFile>> out = TiffFile::OpenMemory(&buffer, "w");
    if (!out.ok()) return out.status();
    absl::Status written = WriteFaxDirectory(**out, bitmap, 196, FaxCompression::kG4, 0, 1);
    if (written.ok()) written = (*out)->close();
    if (!written.ok()) return written;
  }
  absl::StatusOr<std::unique_ptr<TiffFile>> in = TiffFile::OpenMemory(&buffer, "r");
  if (!in.ok()) return in.status();
  const tmsize_t size = TIFFRawStripSize((*in)->get(), 0);
  if (size <= 0) return absl::InternalError("G4 coding produced no data");
  std::string data(static_cast<std::size_t>(size), '\0');
  if (TIFFReadRawStrip((*in)->get(), 0, data.data(), size) != size) {
    return (*in)->error(absl::StatusCode::kInternal, "cannot read back G4 data");
  }
  return data;
}

absl::StatusOr<Bitmap> DecodeG4(const std::string& data, int columns, int rows) {
  if (columns <= 0 || rows <= 0 || data.empty()) {
    return absl::InvalidArgumentError("empty G4 image");
  }
  std::string buffer;
  {
    absl::StatusOr<std::unique_ptr<TiffFile>> out = TiffFile::OpenMemory(&buffer, "w");
    if (!out.ok()) return out.status();
    TIFF* t = (*out)->get();
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(columns));
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(rows));
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX4);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, static_cast<std::uint32_t>(rows));
    std::string copy = data;
    if (TIFFWriteRawStrip(t, 0, copy.data(), static_cast<tmsize_t>(copy.size())) < 0 ||
        !TIFFWriteDirectory(t)) {
      return (*out)->error(absl::StatusCode::kInternal, "cannot wrap G4 data");
    }
    absl::Status closed = (*out)->close();
    if (!closed.ok()) return closed;
  }
  absl::StatusOr<std::unique_ptr<TiffFile>> in = TiffFile::OpenMemory(&buffer, "r");
  if (!in.ok()) return in.status();
  return ReadBilevelImage(**in);
}

}  // namespace pbx::fax::internal
