// DecodeTiffDocument: any TIFF (bilevel G3/G4/uncompressed, grey, palette, RGB, CMYK, ...,
// any orientation, fill order and resolution) into fax pages.
#include <tiffio.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "lib/fax/documents/document_decoder.h"
#include "lib/fax/documents/tiff_file.h"
#include "pbx/base/status.h"

namespace pbx::fax::internal {
namespace {

// Reads any image libtiff's RGBA interface understands, in stored order, as grey.
absl::StatusOr<GreyImage> ReadAsGrey(TiffFile& tiff, std::uint32_t width, std::uint32_t length) {
  char message[1024] = {0};
  if (!TIFFRGBAImageOK(tiff.get(), message)) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported TIFF image: ", message));
  }
  TIFFRGBAImage image;
  if (!TIFFRGBAImageBegin(&image, tiff.get(), 0, message)) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported TIFF image: ", message));
  }
  // Stored order: orientation is applied by Reorient(), which also handles transposition.
  image.req_orientation = ORIENTATION_TOPLEFT;
  image.orientation = ORIENTATION_TOPLEFT;
  std::vector<std::uint32_t> raster(static_cast<std::size_t>(width) * length, 0xFFFFFFFFu);
  const int ok = TIFFRGBAImageGet(&image, raster.data(), width, length);
  TIFFRGBAImageEnd(&image);
  if (!ok) return tiff.error(absl::StatusCode::kInvalidArgument, "corrupt TIFF image data");
  GreyImage grey = GreyImage::Filled(static_cast<int>(width), static_cast<int>(length), 255);
  for (std::size_t i = 0; i < raster.size(); ++i) {
    const std::uint32_t p = raster[i];
    const int luma = (299 * static_cast<int>(TIFFGetR(p)) + 587 * static_cast<int>(TIFFGetG(p)) +
                      114 * static_cast<int>(TIFFGetB(p))) /
                     1000;
    // libtiff premultiplies alpha; composite over white paper.
    const int value = luma + 255 - static_cast<int>(TIFFGetA(p));
    grey.pixels[i] = static_cast<std::uint8_t>(std::min(255, value));
  }
  return grey;
}

absl::StatusOr<SourceImage> ReadPage(TiffFile& tiff, int index, const DecodeOptions& options) {
  TIFF* t = tiff.get();
  std::uint32_t width = 0, length = 0;
  std::uint16_t bits = 1, samples = 1, photometric = PHOTOMETRIC_MINISWHITE,
                orientation = ORIENTATION_TOPLEFT;
  TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(t, TIFFTAG_IMAGELENGTH, &length);
  TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(t, TIFFTAG_ORIENTATION, &orientation);
  const bool has_photometric = TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &photometric);
  if (width == 0 || length == 0) {
    return absl::InvalidArgumentError(absl::StrCat("TIFF page ", index + 1, " has no size"));
  }
  const std::uint64_t pixels = static_cast<std::uint64_t>(width) * length;
  if (pixels > static_cast<std::uint64_t>(options.layout.max_image_pixels)) {
    return absl::InvalidArgumentError(absl::StrCat("TIFF page ", index + 1, " is ", width, "x",
                                                   length, " pixels, more than the limit of ",
                                                   options.layout.max_image_pixels, " pixels"));
  }
  SourceImage source;
  ReadResolution(t, &source.x_dpi, &source.y_dpi);
  const bool bilevel = bits == 1 && samples == 1 &&
                       (!has_photometric || photometric == PHOTOMETRIC_MINISWHITE ||
                        photometric == PHOTOMETRIC_MINISBLACK) &&
                       !TIFFIsTiled(t);
  if (bilevel) {
    PBX_ASSIGN_OR_RETURN(Bitmap stored, ReadBilevelImage(tiff));
    source.is_bilevel = true;
    source.bilevel = Reorient(stored, orientation);
  } else {
    PBX_ASSIGN_OR_RETURN(GreyImage stored, ReadAsGrey(tiff, width, length));
    source.grey = Reorient(stored, orientation);
  }
  if (OrientationTransposes(orientation)) std::swap(source.x_dpi, source.y_dpi);
  return source;
}

}  // namespace

absl::Status DecodeTiffDocument(const std::string& path, const DecodeOptions& options,
                                PageSink& sink) {
  PBX_ASSIGN_OR_RETURN(std::unique_ptr<TiffFile> tiff, TiffFile::Open(path, "r"));
  const int pages = TIFFNumberOfDirectories(tiff->get());
  if (pages <= 0) return absl::InvalidArgumentError("TIFF has no pages");
  if (pages > options.max_pages) {
    return absl::ResourceExhaustedError(
        absl::StrCat("TIFF has ", pages, " pages, more than the limit of ", options.max_pages));
  }
  PBX_RETURN_IF_ERROR(sink.beginDocument(pages));
  for (int i = 0; i < pages; ++i) {
    if (!TIFFSetDirectory(tiff->get(), static_cast<tdir_t>(i))) {
      return tiff->error(absl::StatusCode::kInvalidArgument,
                         absl::StrCat("cannot read TIFF page ", i + 1));
    }
    PBX_ASSIGN_OR_RETURN(SourceImage source, ReadPage(*tiff, i, options));
    PBX_RETURN_IF_ERROR(sink.addPage(LayoutPage(source, options.layout)));
  }
  return absl::OkStatus();
}

}  // namespace pbx::fax::internal
