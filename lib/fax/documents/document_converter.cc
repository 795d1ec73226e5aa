// ConvertDocumentsToFax: drives decoding (sandboxed), stamps the headers and writes TIFF-F.
#include "pbx/fax/document_converter.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "lib/base/log.h"
#include "lib/fax/documents/decoder_process.h"
#include "lib/fax/documents/document_decoder.h"
#include "lib/fax/documents/office_converter.h"
#include "lib/fax/documents/page_header.h"
#include "lib/fax/documents/tiff_file.h"
#include "pbx/base/status.h"

namespace pbx::fax {
namespace {
namespace fs = std::filesystem;
using internal::Bitmap;
using internal::DocumentType;

// Gathers the pages of all documents and enforces the limits shared between them.
class PageCollector final : public internal::PageSink {
 public:
  PageCollector(const DocumentConversionOptions& options, const TimeSource& time,
                MonotonicTime deadline)
      : options_(options), time_(time), deadline_(deadline) {}

  absl::Status beginDocument(int page_count) override {
    if (page_count <= 0 ||
        pages_.size() + page_count > static_cast<std::size_t>(options_.maxPages)) {
      return absl::ResourceExhaustedError(
          absl::StrCat("document has ", page_count, " pages; with ", pages_.size(),
                       " pages before it that exceeds the limit of ", options_.maxPages));
    }
    expected_ += page_count;
    return absl::OkStatus();
  }

  absl::Status addPage(Bitmap page) override {
    if (page.width != kFaxPageWidth || page.rows <= 0 ||
        pages_.size() >= static_cast<std::size_t>(expected_)) {
      return absl::InternalError("decoder produced an invalid page");
    }
    if (time_.monotonicTime() > deadline_) {
      return absl::DeadlineExceededError("document conversion took longer than its time limit");
    }
    pages_.push_back({std::move(page), source_, ++source_page_});
    return absl::OkStatus();
  }

  void startSource(const std::string& source) {
    source_ = source;
    source_page_ = 0;
  }

  struct Page {
    Bitmap bitmap;
    std::string source;
    int source_page;
  };
  std::vector<Page>& pages() { return pages_; }

 private:
  const DocumentConversionOptions& options_;
  const TimeSource& time_;
  MonotonicTime deadline_;
  std::vector<Page> pages_;
  int expected_ = 0;
  std::string source_;
  int source_page_ = 0;
};

absl::Status Annotate(const absl::Status& status, const std::string& input) {
  if (status.ok()) return status;
  return absl::Status(status.code(), absl::StrCat(input, ": ", status.message()));
}

absl::StatusOr<DocumentType> InspectInput(const std::string& input,
                                          const DocumentConversionOptions& options) {
  std::error_code ec;
  const fs::file_status st = fs::status(input, ec);
  if (ec || !fs::exists(st)) return absl::NotFoundError("file not found");
  if (!fs::is_regular_file(st)) return absl::InvalidArgumentError("not a regular file");
  const std::uintmax_t size = fs::file_size(input, ec);
  if (ec) return absl::InvalidArgumentError("cannot read file size");
  if (size == 0) return absl::InvalidArgumentError("file is empty (zero bytes)");
  if (size > static_cast<std::uintmax_t>(options.maxInputBytes)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("file is ", size, " bytes, more than the limit of ", options.maxInputBytes));
  }
  std::ifstream in(input, std::ios::binary);
  std::string head(1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return internal::DetectDocumentType(input, head);
}

absl::Status Decode(const std::string& path, DocumentType type,
                    const DocumentConversionOptions& options, const internal::ChildLimits& limits,
                    const TimeSource& time, int pages_left, PageCollector& collector) {
  internal::DecodeOptions decode;
  decode.layout.resolution = options.resolution;
  decode.layout.paper = options.paper;
  decode.layout.halftoning = options.halftoning;
  decode.layout.max_image_pixels = options.maxImagePixels;
  decode.max_pages = pages_left;
  decode.extract_fax_images = options.extractFaxImages;
  if (options.isolateDecoders) {
    return internal::DecodeInChildProcess(path, type, decode, limits, time, collector);
  }
  return internal::DecodeDocument(path, type, decode, collector);
}

// Runs LibreOffice in a temporary directory that is removed afterwards, then decodes.
absl::Status DecodeOffice(const std::string& input, const DocumentConversionOptions& options,
                          const internal::ChildLimits& limits, const TimeSource& time,
                          int pages_left, PageCollector& collector) {
  PBX_RETURN_IF_ERROR(internal::FindSoffice(options.sofficePath).status());
  std::string dir_template = (fs::temp_directory_path() / "pbx-fax-office-XXXXXX").string();
  if (::mkdtemp(dir_template.data()) == nullptr) {
    return absl::InternalError("cannot create a temporary directory");
  }
  absl::StatusOr<std::string> pdf =
      internal::ConvertOfficeToPdf(input, dir_template, limits, time, options.sofficePath);
  absl::Status status = pdf.status();
  if (status.ok()) {
    status = Decode(*pdf, DocumentType::kPdf, options, limits, time, pages_left, collector);
  }
  std::error_code ec;
  fs::remove_all(dir_template, ec);
  return status;
}

absl::Status WriteOutput(std::vector<PageCollector::Page>& pages, const std::string& output_path,
                         const DocumentConversionOptions& options, absl::Time when,
                         DocumentConversionResult& result,
                         const std::function<void(const ConvertedPage&)>& on_page) {
  const std::string temp_path = absl::StrCat(output_path, ".part");
  PBX_ASSIGN_OR_RETURN(std::unique_ptr<internal::TiffFile> tiff,
                       internal::TiffFile::Open(temp_path, "w"));
  const int lpi = VerticalDpi(options.resolution);
  const int count = static_cast<int>(pages.size());
  absl::Status status;
  for (int i = 0; i < count && status.ok(); ++i) {
    Bitmap& page = pages[i].bitmap;
    internal::DrawPageHeader(page, options.header, when, i + 1, count, lpi);
    status = internal::WriteFaxDirectory(*tiff, page, lpi, options.compression, i, count);
    ConvertedPage info{i + 1, pages[i].source, pages[i].source_page, page.rows,
                       page.blackFraction()};
    if (status.ok()) {
      if (on_page) on_page(info);
      result.pages.push_back(std::move(info));
    }
  }
  if (status.ok()) status = tiff->close();
  std::error_code ec;
  if (status.ok()) {
    fs::rename(temp_path, output_path, ec);
    if (ec) status = absl::InternalError(absl::StrCat("cannot rename to ", output_path));
  }
  if (!status.ok()) {
    fs::remove(temp_path, ec);
    return status;
  }
  result.outputBytes = static_cast<std::int64_t>(fs::file_size(output_path, ec));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<DocumentConversionResult> ConvertDocumentsToFax(
    const std::vector<std::string>& inputs, const std::string& outputPath,
    const DocumentConversionOptions& options,
    const std::function<void(const ConvertedPage&)>& onPage, const TimeSource& time) {
  if (inputs.empty()) return absl::InvalidArgumentError("no input documents");
  if (options.maxPages <= 0 || options.timeout.count() <= 0 || options.maxInputBytes <= 0) {
    return absl::InvalidArgumentError("maxPages, timeout and maxInputBytes must be positive");
  }
  internal::ChildLimits limits;
  limits.deadline = time.monotonicTime() + options.timeout;
  limits.memory_bytes = options.maxChildMemoryBytes;
  const absl::Time when = absl::FromChrono(time.systemTime());

  PageCollector collector(options, time, limits.deadline);
  for (const std::string& input : inputs) {
    absl::StatusOr<DocumentType> type = InspectInput(input, options);
    if (!type.ok()) return Annotate(type.status(), input);
    collector.startSource(input);
    const int pages_left = options.maxPages - static_cast<int>(collector.pages().size());
    absl::Status status = *type == DocumentType::kOffice
                              ? DecodeOffice(input, options, limits, time, pages_left, collector)
                              : Decode(input, *type, options, limits, time, pages_left, collector);
    if (!status.ok()) {
      PBX_LOG(kInfo, "fax", "", "document rejected: {}: {}", input, status.ToString());
      return Annotate(status, input);
    }
  }
  DocumentConversionResult result;
  PBX_RETURN_IF_ERROR(WriteOutput(collector.pages(), outputPath, options, when, result, onPage));
  return result;
}

}  // namespace pbx::fax
