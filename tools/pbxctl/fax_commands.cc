#include "tools/pbxctl/fax_commands.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "pbx/base/logging.h"
#include "pbx/fax/document_converter.h"
#include "pbx/fax/fax_to_pdf.h"
#include "tools/pbxctl/exit_codes.h"

namespace pbxctl {
namespace {

constexpr char kUsage[] =
    "usage: pbxctl fax <command> [options...]\n"
    "\n"
    "commands (offline, no pbxd needed):\n"
    "  convert INPUT... -o OUT.tif   documents (PDF, TIFF, doc/docx/odt via LibreOffice)\n"
    "                                -> one TIFF-F file ready to send\n"
    "      --fine                    204x196 dpi (default: standard, 204x98)\n"
    "      --header TEXT             header line text (default: no header line)\n"
    "      --number NUMBER           sender number printed in the header\n"
    "      --letter                  Letter length pages (default: A4)\n"
    "      --g3 | --g3-2d            G3 1-D or 2-D coding (default: G4)\n"
    "      --dither auto|threshold|floyd-steinberg|ordered   (default: auto)\n"
    "      --max-pages N             reject documents with more pages (default: 100)\n"
    "      --timeout SECONDS         give up after this long (default: 60)\n"
    "      --render                  render PDF fax-image pages with Poppler instead of\n"
    "                                decoding their G4 data directly\n"
    "  topdf IN.tif -o OUT.pdf       received fax -> PDF embedding the G4 data as is\n"
    "      --thumbnail OUT.png       also write a PNG thumbnail of page one\n"
    "      --title TEXT              PDF title\n";

void Usage(std::FILE* out) { std::fputs(kUsage, out); }

int Fail(const std::string& message) {
  std::fprintf(stderr, "pbxctl fax: error: %s\n", message.c_str());
  return kExitError;
}

int BadUsage(const std::string& message) {
  std::fprintf(stderr, "pbxctl fax: %s\n\n", message.c_str());
  Usage(stderr);
  return kExitUsage;
}

// Takes the value after option `args[*i]`, or returns false.
bool TakeValue(const std::vector<std::string>& args, std::size_t* i, std::string* value) {
  if (*i + 1 >= args.size()) return false;
  *value = args[++*i];
  return true;
}

int Convert(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string output;
  pbx::fax::DocumentConversionOptions options;
  options.resolution = pbx::fax::FaxResolution::kStandard;
  options.header.timeZone = absl::LocalTimeZone();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string value;
    if (IsHelp(a)) {
      Usage(stdout);
      return 0;
    } else if (a == "-o" || a == "--output") {
      if (!TakeValue(args, &i, &output)) return BadUsage("-o needs a file name");
    } else if (a == "--fine") {
      options.resolution = pbx::fax::FaxResolution::kFine;
    } else if (a == "--standard") {
      options.resolution = pbx::fax::FaxResolution::kStandard;
    } else if (a == "--render") {
      options.extractFaxImages = false;
    } else if (a == "--letter") {
      options.paper = pbx::fax::PaperSize::kLetter;
    } else if (a == "--g3") {
      options.compression = pbx::fax::FaxCompression::kG3_1D;
    } else if (a == "--g3-2d") {
      options.compression = pbx::fax::FaxCompression::kG3_2D;
    } else if (a == "--header") {
      if (!TakeValue(args, &i, &options.header.text)) return BadUsage("--header needs a text");
    } else if (a == "--number") {
      if (!TakeValue(args, &i, &options.header.senderNumber)) {
        return BadUsage("--number needs a number");
      }
    } else if (a == "--dither") {
      if (!TakeValue(args, &i, &value)) return BadUsage("--dither needs a mode");
      if (value == "auto") {
        options.halftoning = pbx::fax::Halftoning::kAuto;
      } else if (value == "threshold") {
        options.halftoning = pbx::fax::Halftoning::kThreshold;
      } else if (value == "floyd-steinberg") {
        options.halftoning = pbx::fax::Halftoning::kFloydSteinberg;
      } else if (value == "ordered") {
        options.halftoning = pbx::fax::Halftoning::kOrdered;
      } else {
        return BadUsage(absl::StrCat("unknown --dither mode '", value, "'"));
      }
    } else if (a == "--max-pages") {
      if (!TakeValue(args, &i, &value) || !absl::SimpleAtoi(value, &options.maxPages)) {
        return BadUsage("--max-pages needs a number");
      }
    } else if (a == "--timeout") {
      int seconds = 0;
      if (!TakeValue(args, &i, &value) || !absl::SimpleAtoi(value, &seconds) || seconds <= 0) {
        return BadUsage("--timeout needs a positive number of seconds");
      }
      options.timeout = std::chrono::seconds(seconds);
    } else if (a.size() > 1 && a[0] == '-') {
      return BadUsage(absl::StrCat("unknown option '", a, "'"));
    } else {
      inputs.push_back(a);
    }
  }
  if (inputs.empty()) return BadUsage("convert needs at least one input document");
  if (output.empty()) return BadUsage("convert needs -o OUT.tif");
  const auto result = pbx::fax::ConvertDocumentsToFax(
      inputs, output, options, [](const pbx::fax::ConvertedPage& page) {
        std::printf("page %d: %s page %d, 1728x%d, %.1f%% black\n", page.number,
                    page.source.c_str(), page.sourcePage, page.rows, page.blackFraction * 100);
        std::fflush(stdout);
      });
  if (!result.ok()) return Fail(result.status().ToString());
  std::printf("wrote %s: %zu pages, %lld bytes\n", output.c_str(), result->pages.size(),
              static_cast<long long>(result->outputBytes));
  return 0;
}

int ToPdf(const std::vector<std::string>& args) {
  std::string input, output, thumbnail;
  pbx::fax::FaxToPdfOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (IsHelp(a)) {
      Usage(stdout);
      return 0;
    } else if (a == "-o" || a == "--output") {
      if (!TakeValue(args, &i, &output)) return BadUsage("-o needs a file name");
    } else if (a == "--thumbnail") {
      if (!TakeValue(args, &i, &thumbnail)) return BadUsage("--thumbnail needs a file name");
    } else if (a == "--title") {
      if (!TakeValue(args, &i, &options.title)) return BadUsage("--title needs a text");
    } else if (a.size() > 1 && a[0] == '-') {
      return BadUsage(absl::StrCat("unknown option '", a, "'"));
    } else if (input.empty()) {
      input = a;
    } else {
      return BadUsage("topdf takes one input TIFF");
    }
  }
  if (input.empty() || output.empty()) return BadUsage("usage: pbxctl fax topdf IN.tif -o OUT.pdf");
  const auto result = pbx::fax::ConvertFaxToPdf(input, output, options);
  if (!result.ok()) return Fail(absl::StrCat(input, ": ", result.status().ToString()));
  for (const auto& page : result->pages) {
    std::printf("page %d: %dx%d at %.0fx%.0f dpi, G4 %s\n", page.number, page.columns, page.rows,
                page.xDpi, page.yDpi, page.copied ? "copied" : "re-coded");
  }
  std::printf("wrote %s: %zu pages, %lld bytes\n", output.c_str(), result->pages.size(),
              static_cast<long long>(result->outputBytes));
  if (!thumbnail.empty()) {
    const absl::Status status = pbx::fax::WriteFaxThumbnail(input, thumbnail);
    if (!status.ok()) return Fail(status.ToString());
    std::printf("wrote %s\n", thumbnail.c_str());
  }
  return 0;
}

}  // namespace

CommandGroup FaxCommands() {
  CommandGroup group;
  group.name = "fax";
  group.summary = "fax documents: convert to TIFF-F, received TIFF-F to PDF";
  group.usage = &Usage;
  group.run = [](const std::vector<std::string>& args) {
    // Offline tool: errors are printed once, by the command, not also by the library log.
    pbx::SetLogLevel(pbx::LogLevel::kWarning);
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args[0] == "convert") return Convert(rest);
    if (args[0] == "topdf") return ToPdf(rest);
    return BadUsage(absl::StrCat("unknown command '", args[0], "'"));
  };
  return group;
}

}  // namespace pbxctl
