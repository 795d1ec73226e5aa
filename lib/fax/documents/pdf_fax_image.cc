#include "lib/fax/documents/pdf_fax_image.h"

#include <qpdf/Buffer.hh>
#include <qpdf/Pl_Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>

#include <cmath>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "lib/fax/documents/tiff_file.h"

namespace pbx::fax::internal {

struct PdfFaxImages::State {
  QPDF pdf;
  std::string bytes;
};

namespace {

// /Name or [/Name] -> "/Name"; anything else -> "".
std::string SingleName(QPDFObjectHandle object) {
  if (object.isArray() && object.getArrayNItems() == 1) object = object.getArrayItem(0);
  return object.isName() ? object.getName() : std::string();
}

QPDFObjectHandle SingleDict(QPDFObjectHandle object) {
  if (object.isArray() && object.getArrayNItems() == 1) object = object.getArrayItem(0);
  return object;
}

bool Near(double a, double b) { return std::abs(a - b) < 0.5; }

// Content must be exactly "q W 0 0 H X Y cm /Name Do Q" (q/Q optional) with the image
// covering the media box.
bool DrawsOneImageOverBox(const std::string& content, const std::vector<double>& box,
                          std::string* name) {
  std::vector<std::string> tokens =
      absl::StrSplit(content, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  if (tokens.size() == 11 && tokens.front() == "q" && tokens.back() == "Q") {
    tokens = std::vector<std::string>(tokens.begin() + 1, tokens.end() - 1);
  }
  if (tokens.size() != 9 || tokens[6] != "cm" || tokens[8] != "Do" || tokens[7][0] != '/') {
    return false;
  }
  double m[6];
  for (int i = 0; i < 6; ++i) {
    if (!absl::SimpleAtod(tokens[i], &m[i])) return false;
  }
  *name = tokens[7];
  return Near(m[0], box[2] - box[0]) && Near(m[1], 0) && Near(m[2], 0) &&
         Near(m[3], box[3] - box[1]) && Near(m[4], box[0]) && Near(m[5], box[1]);
}

std::optional<SourceImage> ExtractPage(QPDFObjectHandle page) {
  QPDFObjectHandle rotate = page.getKey("/Rotate");
  if (rotate.isInteger() && rotate.getIntValue() % 360 != 0) return std::nullopt;
  QPDFObjectHandle media = page.getKey("/MediaBox");
  QPDFObjectHandle crop = page.getKey("/CropBox");
  if (!media.isArray() || media.getArrayNItems() != 4) return std::nullopt;
  if (!crop.isNull() && crop.unparse() != media.unparse()) return std::nullopt;
  std::vector<double> box;
  for (int i = 0; i < 4; ++i) {
    QPDFObjectHandle v = media.getArrayItem(i);
    if (!v.isNumber()) return std::nullopt;
    box.push_back(v.getNumericValue());
  }
  const double width_pt = box[2] - box[0], height_pt = box[3] - box[1];
  if (!(width_pt > 1) || !(height_pt > 1)) return std::nullopt;

  Pl_Buffer content_buffer("content");
  page.pipePageContents(&content_buffer);
  std::unique_ptr<Buffer> content(content_buffer.getBuffer());
  std::string name;
  if (!DrawsOneImageOverBox(
          std::string(reinterpret_cast<const char*>(content->getBuffer()), content->getSize()), box,
          &name)) {
    return std::nullopt;
  }
  QPDFObjectHandle xobjects = page.getKey("/Resources").getKey("/XObject");
  if (!xobjects.isDictionary()) return std::nullopt;
  QPDFObjectHandle image = xobjects.getKey(name);
  if (!image.isStream()) return std::nullopt;
  QPDFObjectHandle dict = image.getDict();
  QPDFObjectHandle parms = SingleDict(dict.getKey("/DecodeParms"));
  if (SingleName(dict.getKey("/Filter")) != "/CCITTFaxDecode" || !parms.isDictionary() ||
      dict.getKey("/ImageMask").isBool()) {
    return std::nullopt;
  }
  QPDFObjectHandle k = parms.getKey("/K");
  QPDFObjectHandle columns = parms.getKey("/Columns");
  QPDFObjectHandle width = dict.getKey("/Width");
  QPDFObjectHandle height = dict.getKey("/Height");
  QPDFObjectHandle bpc = dict.getKey("/BitsPerComponent");
  if (!k.isInteger() || k.getIntValue() >= 0 || !width.isInteger() || !height.isInteger() ||
      (columns.isInteger() ? columns.getIntValue() : 1728) != width.getIntValue() ||
      (bpc.isInteger() && bpc.getIntValue() != 1)) {
    return std::nullopt;
  }
  const long long w = width.getIntValue(), h = height.getIntValue();
  if (w <= 0 || w > 8192 || h <= 0 || h > 40000) return std::nullopt;
  // Other parameters change the coding; leave such images to the renderer.
  for (const char* key : {"/EncodedByteAlign", "/EndOfLine"}) {
    QPDFObjectHandle v = parms.getKey(key);
    if (v.isBool() && v.getBoolValue()) return std::nullopt;
  }
  bool invert = false;
  QPDFObjectHandle black_is_1 = parms.getKey("/BlackIs1");
  if (black_is_1.isBool() && black_is_1.getBoolValue()) invert = !invert;
  QPDFObjectHandle decode = dict.getKey("/Decode");
  if (decode.isArray() && decode.getArrayNItems() == 2 && decode.getArrayItem(0).isNumber() &&
      decode.getArrayItem(0).getNumericValue() == 1) {
    invert = !invert;
  }
  std::shared_ptr<Buffer> raw = image.getRawStreamData();
  absl::StatusOr<Bitmap> bitmap =
      DecodeG4(std::string(reinterpret_cast<const char*>(raw->getBuffer()), raw->getSize()),
               static_cast<int>(w), static_cast<int>(h));
  if (!bitmap.ok()) return std::nullopt;
  if (invert) {
    for (auto& byte : bitmap->bits) byte = static_cast<std::uint8_t>(~byte);
    if (bitmap->width % 8 != 0) {
      const auto keep = static_cast<std::uint8_t>(0xFF00 >> (bitmap->width % 8));
      for (int y = 0; y < bitmap->rows; ++y) bitmap->row(y)[bitmap->stride - 1] &= keep;
    }
  }
  SourceImage source;
  source.is_bilevel = true;
  source.bilevel = std::move(*bitmap);
  source.x_dpi = w / (width_pt / 72);
  source.y_dpi = h / (height_pt / 72);
  return source;
}

}  // namespace

PdfFaxImages::PdfFaxImages(std::unique_ptr<State> state) : state_(std::move(state)) {}
PdfFaxImages::~PdfFaxImages() = default;

std::unique_ptr<PdfFaxImages> PdfFaxImages::Open(const std::string& pdf_bytes) {
  try {
    auto state = std::make_unique<State>();
    state->bytes = pdf_bytes;
    state->pdf.setSuppressWarnings(true);
    state->pdf.processMemoryFile("document", state->bytes.data(), state->bytes.size());
    if (state->pdf.isEncrypted()) return nullptr;
    return std::unique_ptr<PdfFaxImages>(new PdfFaxImages(std::move(state)));
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::optional<SourceImage> PdfFaxImages::extract(int index) {
  try {
    const std::vector<QPDFObjectHandle>& pages = state_->pdf.getAllPages();
    if (index < 0 || index >= static_cast<int>(pages.size())) return std::nullopt;
    return ExtractPage(pages[index]);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace pbx::fax::internal
