// fax_convert: the document API in a few lines. Converts documents into a TIFF-F file ready
// to send, then turns that file back into a PDF with a PNG thumbnail, as a receiving fax
// server would.
//
//   build/bin/fax_convert_example out.tif letter.pdf scan.tif
#include <cstdio>

#include "pbx/fax/document_converter.h"
#include "pbx/fax/fax_to_pdf.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT.tif INPUT...\n", argv[0]);
    return 2;
  }
  pbx::fax::DocumentConversionOptions options;
  options.resolution = pbx::fax::FaxResolution::kFine;
  options.header.text = "pbxkit example";
  options.header.senderNumber = "+49 30 1234567";
  options.maxPages = 50;

  const std::string tiff = argv[1];
  auto sent = pbx::fax::ConvertDocumentsToFax(
      {argv + 2, argv + argc}, tiff, options, [](const pbx::fax::ConvertedPage& page) {
        std::printf("page %d: %s p%d, %d rows\n", page.number, page.source.c_str(), page.sourcePage,
                    page.rows);
      });
  if (!sent.ok()) {
    std::fprintf(stderr, "cannot convert: %s\n", sent.status().ToString().c_str());
    return 1;
  }
  auto pdf = pbx::fax::ConvertFaxToPdf(tiff, tiff + ".pdf");
  if (!pdf.ok() || !pbx::fax::WriteFaxThumbnail(tiff, tiff + ".png").ok()) {
    std::fprintf(stderr, "cannot write PDF/PNG\n");
    return 1;
  }
  std::printf("%s: %zu pages; %s.pdf and %s.png written\n", tiff.c_str(), sent->pages.size(),
              tiff.c_str(), tiff.c_str());
  return 0;
}
