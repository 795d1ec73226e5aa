#include "pbx/media/media_types.h"

namespace pbx::media {

std::string_view DtmfMethodName(DtmfMethod method) {
  switch (method) {
    case DtmfMethod::kRfc4733:
      return "rfc4733";
    case DtmfMethod::kInfo:
      return "info";
    case DtmfMethod::kInband:
      return "inband";
  }
  return "unknown";
}

}  // namespace pbx::media
