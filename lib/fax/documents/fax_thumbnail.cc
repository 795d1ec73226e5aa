// WriteFaxThumbnail: page one of a fax as a small grey PNG (libpng).
#include <png.h>
#include <tiffio.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "lib/fax/documents/resample.h"
#include "lib/fax/documents/tiff_file.h"
#include "pbx/base/status.h"
#include "pbx/fax/fax_to_pdf.h"

namespace pbx::fax {
namespace {

absl::Status WritePng(const internal::GreyImage& image, const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return absl::InternalError(absl::StrCat("cannot create ", path));
  std::unique_ptr<FILE, int (*)(FILE*)> closer(file, &std::fclose);
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return absl::InternalError("libpng initialisation failed");
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return absl::InternalError(absl::StrCat("cannot write PNG ", path));
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height), 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y) {
    png_write_row(png, const_cast<png_bytep>(image.row(y)));
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFaxThumbnail(const std::string& tiffPath, const std::string& pngPath, int width) {
  if (width < 8 || width > 4096) return absl::InvalidArgumentError("thumbnail width out of range");
  PBX_ASSIGN_OR_RETURN(std::unique_ptr<internal::TiffFile> tiff,
                       internal::TiffFile::Open(tiffPath, "r"));
  std::uint16_t bits = 1, samples = 1;
  std::uint32_t columns = 0, rows = 0;
  TIFFGetFieldDefaulted(tiff->get(), TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tiff->get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetField(tiff->get(), TIFFTAG_IMAGEWIDTH, &columns);
  TIFFGetField(tiff->get(), TIFFTAG_IMAGELENGTH, &rows);
  if (bits != 1 || samples != 1) return absl::InvalidArgumentError("not a bilevel fax image");
  if (columns == 0 || rows == 0 || static_cast<std::uint64_t>(columns) * rows > 100'000'000) {
    return absl::InvalidArgumentError("fax page has an unsupported size");
  }
  PBX_ASSIGN_OR_RETURN(internal::Bitmap page, internal::ReadBilevelImage(*tiff));
  double x_dpi = 0, y_dpi = 0;
  internal::ReadResolution(tiff->get(), &x_dpi, &y_dpi);
  if (x_dpi <= 0 || y_dpi <= 0) x_dpi = y_dpi = 1;
  const double aspect = (page.rows / y_dpi) / (page.width / x_dpi);
  const int height = std::max(1, static_cast<int>(std::lround(width * aspect)));
  return WritePng(internal::Resample(internal::BitmapToGrey(page), width, height), pngPath);
}

}  // namespace pbx::fax
