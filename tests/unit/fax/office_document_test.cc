// Office documents go through LibreOffice headless when it is installed. The test makes its
// .odt with LibreOffice itself from a flat-XML text it writes, so it needs no fixture files.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "pbx/fax/document_converter.h"
#include "tests/unit/fax/test_documents.h"

namespace pbx::fax {
namespace {

bool HaveSoffice() {
  return std::filesystem::exists("/usr/bin/soffice") ||
         std::filesystem::exists("/usr/bin/libreoffice");
}

}  // namespace

TEST_CASE("an OpenDocument text becomes A4 fax pages through LibreOffice") {
  if (!HaveSoffice()) {
    MESSAGE("SKIPPED: LibreOffice is not installed (Debian package libreoffice-writer-nogui)");
    return;
  }
  const std::string dir = testing::TempPath("office");
  std::filesystem::create_directories(dir);
  const std::string flat = dir + "/memo.fodt";
  testing::WriteFile(flat,
                     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<office:document "
                     "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
                     "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" "
                     "office:version=\"1.2\" "
                     "office:mimetype=\"application/vnd.oasis.opendocument.text\">"
                     "<office:body><office:text>"
                     "<text:h text:outline-level=\"1\">Fax test memo</text:h>"
                     "<text:p>Written as OpenDocument text and sent as a fax.</text:p>"
                     "</office:text></office:body></office:document>\n");
  const std::string make = "cd '" + dir + "' && HOME='" + dir +
                           "' timeout 120 soffice --headless --convert-to odt memo.fodt "
                           ">/dev/null 2>&1";
  REQUIRE(std::system(make.c_str()) == 0);
  REQUIRE(std::filesystem::exists(dir + "/memo.odt"));

  DocumentConversionOptions options;
  options.resolution = FaxResolution::kStandard;
  auto result = ConvertDocumentsToFax({dir + "/memo.odt"}, dir + "/memo.tif", options);
  REQUIRE_MESSAGE(result.ok(), result.status().ToString());
  REQUIRE(result->pages.size() == 1);
  // A4 at standard resolution; the text leaves some ink.
  CHECK(result->pages[0].rows == PageRows(PaperSize::kA4, FaxResolution::kStandard));
  CHECK(result->pages[0].blackFraction > 0.0005);
}

}  // namespace pbx::fax
