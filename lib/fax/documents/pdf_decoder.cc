// DecodePdfDocument: renders PDF pages with Poppler straight at the fax resolution.
//
// Each page is scaled to fit the fax page (up or down, aspect kept, centred); landscape
// pages are turned to portrait. A page that is exactly fax width (1728/204 in, such as the
// pages ConvertFaxToPdf writes) is rendered 1:1 and keeps its length, so a received fax
// can be forwarded without losing a pixel. Pages that consist of one full-page G4 image are
// not rendered at all: PdfFaxImages decodes the image itself (lossless).
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-image.h>
#include <poppler-page-renderer.h>
#include <poppler-page.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/fax/documents/document_decoder.h"
#include "lib/fax/documents/pdf_fax_image.h"
#include "pbx/base/status.h"

namespace pbx::fax::internal {
namespace {

constexpr double kFaxWidthPoints = 72.0 * kFaxPageWidth / kFaxHorizontalDpi;
constexpr double kMaxPagePoints = 14400;  // 200 in, PDF's own limit

void IgnorePopplerMessage(const std::string&, void*) {}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read file");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

absl::Status CheckPdfFraming(const std::string& data) {
  if (!absl::StrContains(absl::string_view(data).substr(0, 1024), "%PDF-")) {
    return absl::InvalidArgumentError("not a PDF file (no %PDF- header)");
  }
  const std::size_t tail = data.size() > 2048 ? data.size() - 2048 : 0;
  if (!absl::StrContains(absl::string_view(data).substr(tail), "%%EOF")) {
    return absl::InvalidArgumentError("PDF is truncated or damaged (no %%EOF marker at the end)");
  }
  return absl::OkStatus();
}

absl::StatusOr<GreyImage> ToGrey(const poppler::image& image) {
  if (!image.is_valid() || image.format() != poppler::image::format_gray8) {
    return absl::InternalError("Poppler returned no image");
  }
  GreyImage grey = GreyImage::Filled(image.width(), image.height(), 255);
  const char* data = image.const_data();
  for (int y = 0; y < image.height(); ++y) {
    std::memcpy(grey.row(y), data + static_cast<std::size_t>(y) * image.bytes_per_row(),
                image.width());
  }
  return grey;
}

absl::StatusOr<Bitmap> RenderPage(const poppler::page& page, int index,
                                  const poppler::page_renderer& renderer,
                                  const LayoutOptions& layout) {
  const poppler::rectf box = page.page_rect(poppler::crop_box);
  double width = box.width();
  double height = box.height();
  if (!(width > 1) || !(height > 1) || width > kMaxPagePoints || height > kMaxPagePoints) {
    return absl::InvalidArgumentError(
        absl::StrCat("PDF page ", index + 1, " has an invalid size ", width, "x", height));
  }
  const poppler::page::orientation_enum o = page.orientation();
  if (o == poppler::page::landscape || o == poppler::page::seascape) std::swap(width, height);
  poppler::rotation_enum rotation = poppler::rotate_0;
  if (width > height * 1.02) {
    rotation = poppler::rotate_90;
    std::swap(width, height);
  }
  const int lpi = VerticalDpi(layout.resolution);
  const int page_rows = PageRows(layout.paper, layout.resolution);
  double x_dpi = 0, y_dpi = 0;
  bool keep_length = false;
  if (std::abs(width - kFaxWidthPoints) < 1.0 && height / 72 * lpi <= 3.0 * page_rows) {
    x_dpi = kFaxPageWidth / (width / 72);
    y_dpi = lpi;
    keep_length = true;
  } else {
    const double fit =
        std::min(kFaxPageWidth / (width / 72 * kFaxHorizontalDpi), page_rows / (height / 72 * lpi));
    x_dpi = kFaxHorizontalDpi * fit;
    y_dpi = lpi * fit;
  }
  const poppler::image image = renderer.render_page(&page, x_dpi, y_dpi, -1, -1, -1, -1, rotation);
  PBX_ASSIGN_OR_RETURN(GreyImage grey, ToGrey(image));
  return PlaceOnPage(grey, layout, keep_length);
}

}  // namespace

absl::Status DecodePdfDocument(const std::string& path, const DecodeOptions& options,
                               PageSink& sink) {
  PBX_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(path));
  PBX_RETURN_IF_ERROR(CheckPdfFraming(data));
  try {
    poppler::set_debug_error_function(&IgnorePopplerMessage, nullptr);
    std::unique_ptr<poppler::document> doc(
        poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
    if (doc == nullptr) {
      return absl::InvalidArgumentError(
          "cannot parse PDF (damaged, or encrypted in a way "
          "Poppler cannot open)");
    }
    if (doc->is_locked()) {
      return absl::PermissionDeniedError(
          "PDF is encrypted with a password; remove the password protection before faxing");
    }
    const int pages = doc->pages();
    if (pages <= 0) return absl::InvalidArgumentError("PDF has no pages");
    if (pages > options.max_pages) {
      return absl::ResourceExhaustedError(
          absl::StrCat("PDF has ", pages, " pages, more than the limit of ", options.max_pages));
    }
    PBX_RETURN_IF_ERROR(sink.beginDocument(pages));
    std::unique_ptr<PdfFaxImages> fax_images =
        options.extract_fax_images ? PdfFaxImages::Open(data) : nullptr;
    poppler::page_renderer renderer;
    renderer.set_image_format(poppler::image::format_gray8);
    renderer.set_render_hint(poppler::page_renderer::antialiasing, true);
    renderer.set_render_hint(poppler::page_renderer::text_antialiasing, true);
    for (int i = 0; i < pages; ++i) {
      if (fax_images != nullptr) {
        if (std::optional<SourceImage> fax = fax_images->extract(i)) {
          PBX_RETURN_IF_ERROR(sink.addPage(LayoutPage(*fax, options.layout)));
          continue;
        }
      }
      std::unique_ptr<poppler::page> page(doc->create_page(i));
      if (page == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat("cannot read PDF page ", i + 1));
      }
      PBX_ASSIGN_OR_RETURN(Bitmap bitmap, RenderPage(*page, i, renderer, options.layout));
      PBX_RETURN_IF_ERROR(sink.addPage(std::move(bitmap)));
    }
  } catch (const std::bad_alloc&) {
    return absl::ResourceExhaustedError("out of memory while rendering the PDF");
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("cannot render PDF: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace pbx::fax::internal
