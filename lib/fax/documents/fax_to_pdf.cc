// ConvertFaxToPdf: TIFF-F pages become /CCITTFaxDecode image pages in a PDF (qpdf).
#include "pbx/fax/fax_to_pdf.h"

#include <tiffio.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "lib/fax/documents/tiff_file.h"
#include "pbx/base/status.h"

namespace pbx::fax {
namespace {
using internal::Bitmap;
using internal::TiffFile;

// One page's G4 data as it goes into the PDF.
struct G4Page {
  FaxToPdfPage info;
  std::string data;
  bool inverted = false;  // min-is-black coding: the PDF image needs /Decode [1 0]
};

absl::StatusOr<G4Page> ReadPage(TiffFile& tiff, int number, const FaxToPdfOptions& options) {
  TIFF* t = tiff.get();
  std::uint32_t width = 0, rows = 0;
  std::uint16_t bits = 1, samples = 1, compression = COMPRESSION_NONE,
                photometric = PHOTOMETRIC_MINISWHITE, fill_order = FILLORDER_MSB2LSB;
  TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &width);
  TIFFGetField(t, TIFFTAG_IMAGELENGTH, &rows);
  TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(t, TIFFTAG_COMPRESSION, &compression);
  TIFFGetFieldDefaulted(t, TIFFTAG_PHOTOMETRIC, &photometric);
  TIFFGetFieldDefaulted(t, TIFFTAG_FILLORDER, &fill_order);
  if (bits != 1 || samples != 1 || TIFFIsTiled(t) ||
      (photometric != PHOTOMETRIC_MINISWHITE && photometric != PHOTOMETRIC_MINISBLACK)) {
    return absl::InvalidArgumentError(absl::StrCat("page ", number, " is not a bilevel fax image"));
  }
  if (width == 0 || width > 8192 || rows == 0 ||
      rows > static_cast<std::uint64_t>(options.maxPageRows)) {
    return absl::InvalidArgumentError(
        absl::StrCat("page ", number, " has an unsupported size ", width, "x", rows));
  }
  G4Page page;
  page.info.number = number;
  page.info.columns = static_cast<int>(width);
  page.info.rows = static_cast<int>(rows);
  internal::ReadResolution(t, &page.info.xDpi, &page.info.yDpi);
  if (page.info.xDpi <= 0 || page.info.yDpi <= 0) {
    page.info.xDpi = kFaxHorizontalDpi;  // a fax without resolution tags: assume fine
    page.info.yDpi = 196;
  }
  if (compression == COMPRESSION_CCITTFAX4 && TIFFNumberOfStrips(t) == 1) {
    const tmsize_t size = TIFFRawStripSize(t, 0);
    if (size <= 0 || size > (64 << 20)) {
      return absl::InvalidArgumentError(absl::StrCat("page ", number, " has no image data"));
    }
    page.data.assign(static_cast<std::size_t>(size), '\0');
    if (TIFFReadRawStrip(t, 0, page.data.data(), size) != size) {
      return tiff.error(absl::StatusCode::kInvalidArgument,
                        absl::StrCat("cannot read page ", number));
    }
    if (fill_order == FILLORDER_LSB2MSB) {
      TIFFReverseBits(reinterpret_cast<std::uint8_t*>(page.data.data()),
                      static_cast<tmsize_t>(page.data.size()));
    }
    page.inverted = photometric == PHOTOMETRIC_MINISBLACK;
    page.info.copied = true;
    return page;
  }
  PBX_ASSIGN_OR_RETURN(Bitmap bitmap, internal::ReadBilevelImage(tiff));
  PBX_ASSIGN_OR_RETURN(page.data, internal::EncodeG4(bitmap));
  return page;
}

std::string Number(double v) { return absl::StrFormat("%.4f", v); }

void AddPage(QPDF& pdf, const G4Page& page) {
  const double width_pt = 72.0 * page.info.columns / page.info.xDpi;
  const double height_pt = 72.0 * page.info.rows / page.info.yDpi;
  QPDFObjectHandle image = pdf.newStream();
  QPDFObjectHandle dict = image.getDict();
  dict.replaceKey("/Type", QPDFObjectHandle::newName("/XObject"));
  dict.replaceKey("/Subtype", QPDFObjectHandle::newName("/Image"));
  dict.replaceKey("/Width", QPDFObjectHandle::newInteger(page.info.columns));
  dict.replaceKey("/Height", QPDFObjectHandle::newInteger(page.info.rows));
  dict.replaceKey("/ColorSpace", QPDFObjectHandle::newName("/DeviceGray"));
  dict.replaceKey("/BitsPerComponent", QPDFObjectHandle::newInteger(1));
  if (page.inverted) dict.replaceKey("/Decode", QPDFObjectHandle::parse("[1 0]"));
  QPDFObjectHandle parms = QPDFObjectHandle::newDictionary();
  parms.replaceKey("/K", QPDFObjectHandle::newInteger(-1));
  parms.replaceKey("/Columns", QPDFObjectHandle::newInteger(page.info.columns));
  parms.replaceKey("/Rows", QPDFObjectHandle::newInteger(page.info.rows));
  parms.replaceKey("/BlackIs1", QPDFObjectHandle::newBool(false));
  image.replaceStreamData(page.data, QPDFObjectHandle::newName("/CCITTFaxDecode"), parms);

  QPDFObjectHandle content = pdf.newStream(
      absl::StrCat("q ", Number(width_pt), " 0 0 ", Number(height_pt), " 0 0 cm /Im0 Do Q\n"));
  QPDFObjectHandle xobjects = QPDFObjectHandle::newDictionary();
  xobjects.replaceKey("/Im0", image);
  QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
  resources.replaceKey("/XObject", xobjects);
  QPDFObjectHandle page_dict = QPDFObjectHandle::newDictionary();
  page_dict.replaceKey("/Type", QPDFObjectHandle::newName("/Page"));
  page_dict.replaceKey("/MediaBox", QPDFObjectHandle::parse(absl::StrCat(
                                        "[0 0 ", Number(width_pt), " ", Number(height_pt), "]")));
  page_dict.replaceKey("/Contents", content);
  page_dict.replaceKey("/Resources", resources);
  QPDFPageDocumentHelper(pdf).addPage(QPDFPageObjectHelper(pdf.makeIndirectObject(page_dict)),
                                      false);
}

absl::Status WritePdf(const std::vector<G4Page>& pages, const std::string& path,
                      const FaxToPdfOptions& options) {
  try {
    QPDF pdf;
    pdf.emptyPDF();
    for (const G4Page& page : pages) AddPage(pdf, page);
    QPDFObjectHandle info = QPDFObjectHandle::newDictionary();
    info.replaceKey("/Producer", QPDFObjectHandle::newUnicodeString("pbxkit"));
    if (!options.title.empty()) {
      info.replaceKey("/Title", QPDFObjectHandle::newUnicodeString(options.title));
    }
    pdf.getTrailer().replaceKey("/Info", pdf.makeIndirectObject(info));
    QPDFWriter writer(pdf, path.c_str());
    writer.setDeterministicID(true);
    writer.write();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot write PDF: ", e.what()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FaxToPdfResult> ConvertFaxToPdf(const std::string& tiffPath,
                                               const std::string& pdfPath,
                                               const FaxToPdfOptions& options) {
  PBX_ASSIGN_OR_RETURN(std::unique_ptr<TiffFile> tiff, TiffFile::Open(tiffPath, "r"));
  const int count = TIFFNumberOfDirectories(tiff->get());
  if (count <= 0) return absl::InvalidArgumentError("TIFF has no pages");
  if (count > options.maxPages) {
    return absl::ResourceExhaustedError(
        absl::StrCat("TIFF has ", count, " pages, more than the limit of ", options.maxPages));
  }
  std::vector<G4Page> pages;
  for (int i = 0; i < count; ++i) {
    if (!TIFFSetDirectory(tiff->get(), static_cast<tdir_t>(i))) {
      return tiff->error(absl::StatusCode::kInvalidArgument,
                         absl::StrCat("cannot read page ", i + 1));
    }
    PBX_ASSIGN_OR_RETURN(G4Page page, ReadPage(*tiff, i + 1, options));
    pages.push_back(std::move(page));
  }
  const std::string temp_path = absl::StrCat(pdfPath, ".part");
  absl::Status status = WritePdf(pages, temp_path, options);
  std::error_code ec;
  if (status.ok()) {
    std::filesystem::rename(temp_path, pdfPath, ec);
    if (ec) status = absl::InternalError(absl::StrCat("cannot rename to ", pdfPath));
  }
  if (!status.ok()) {
    std::filesystem::remove(temp_path, ec);
    return status;
  }
  FaxToPdfResult result;
  for (G4Page& page : pages) result.pages.push_back(page.info);
  result.outputBytes = static_cast<std::int64_t>(std::filesystem::file_size(pdfPath, ec));
  return result;
}

}  // namespace pbx::fax
