#include "libraries/proto/input_check.h"

#include <cmath>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"

namespace bulwark {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Free text: the only plain string fields that may hold line breaks.
bool IsFreeText(absl::string_view field) {
  static const auto* const kFreeText = new absl::flat_hash_set<std::string>(
      {"description", "message", "error", "canonical_definition", "policy", "certificate"});
  return kFreeText->contains(field);
}

bool IsJsonContainer(const google::protobuf::Descriptor* d) {
  return d->full_name() == "google.protobuf.Struct" ||
         d->full_name() == "google.protobuf.ListValue";
}

class Walker {
 public:
  explicit Walker(const InputLimits& limits) : limits_(limits) {}

  absl::Status Walk(const Message& message, const std::string& path, int depth, int json_depth,
                    bool in_json) {
    if (depth > limits_.max_message_depth) {
      return absl::ResourceExhaustedError(
          absl::StrCat(Where(path), "nests messages deeper than ", limits_.max_message_depth));
    }
    if (IsJsonContainer(message.GetDescriptor())) {
      in_json = true;
      if (++json_depth > limits_.max_json_depth) {
        return absl::ResourceExhaustedError(absl::StrCat(Where(path), "nests JSON deeper than ",
                                                         limits_.max_json_depth, " levels"));
      }
    }
    const Reflection* reflection = message.GetReflection();
    std::vector<const FieldDescriptor*> fields;
    reflection->ListFields(message, &fields);
    for (const FieldDescriptor* field : fields) {
      std::string field_path = FieldPath(message, field, path);
      if (field->is_repeated()) {
        int n = reflection->FieldSize(message, field);
        if (in_json) {
          elements_ += n;
          if (elements_ > limits_.max_json_elements) {
            return absl::ResourceExhaustedError(
                absl::StrCat(Where(path), "JSON values hold more than ", limits_.max_json_elements,
                             " members and items in one request"));
          }
        }
        for (int i = 0; i < n; ++i) {
          std::string item_path = ItemPath(message, field, i, field_path);
          absl::Status s = Element(message, field, i, item_path, depth, json_depth, in_json);
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s = Element(message, field, -1, field_path, depth, json_depth, in_json);
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

 private:
  // JSON values read as JSON (`task.payload.env`, `items[2]`), other fields by name.
  static std::string FieldPath(const Message& message, const FieldDescriptor* field,
                               const std::string& path) {
    const std::string& type = message.GetDescriptor()->full_name();
    if (type == "google.protobuf.Value" || type == "google.protobuf.Struct" ||
        type == "google.protobuf.ListValue" || message.GetDescriptor()->options().map_entry()) {
      return path;
    }
    return path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
  }

  static std::string ItemPath(const Message& message, const FieldDescriptor* field, int i,
                              const std::string& field_path) {
    if (field->is_map()) {
      const Message& entry = message.GetReflection()->GetRepeatedMessage(message, field, i);
      const FieldDescriptor* key = entry.GetDescriptor()->map_key();
      if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
        std::string k = entry.GetReflection()->GetString(entry, key);
        if (CheckText(k, "").ok() && k.size() <= 64) {
          return field_path.empty() ? k : absl::StrCat(field_path, ".", k);
        }
        return absl::StrCat(field_path, "[key #", i, "]");
      }
    }
    return absl::StrCat(field_path, "[", i, "]");
  }

  static std::string Where(const std::string& path) {
    return path.empty() ? "the request " : absl::StrCat("field ", path, " ");
  }

  // `index` is -1 for a singular field.
  absl::Status Element(const Message& message, const FieldDescriptor* field, int index,
                       const std::string& path, int depth, int json_depth, bool in_json) {
    const Reflection* r = message.GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        if (field->type() == FieldDescriptor::TYPE_BYTES) return absl::OkStatus();
        std::string scratch;
        const std::string& text =
            index < 0 ? r->GetStringReference(message, field, &scratch)
                      : r->GetRepeatedStringReference(message, field, index, &scratch);
        absl::Status s = CheckText(text, absl::StrCat("field ", path));
        if (!s.ok()) return s;
        // Struct keys and values are data; every other non-free-text field is header-like.
        bool header_like = !in_json && !IsFreeText(field->name()) &&
                           !(field->containing_type()->options().map_entry());
        if (header_like &&
            (text.find('\r') != std::string::npos || text.find('\n') != std::string::npos)) {
          return absl::InvalidArgumentError(
              absl::StrCat("field ", path, " must not contain a line break (CR or LF)"));
        }
        return absl::OkStatus();
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double d =
            index < 0 ? r->GetDouble(message, field) : r->GetRepeatedDouble(message, field, index);
        return Finite(d, path);
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        float f =
            index < 0 ? r->GetFloat(message, field) : r->GetRepeatedFloat(message, field, index);
        return Finite(f, path);
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        const Message& child = index < 0 ? r->GetMessage(message, field)
                                         : r->GetRepeatedMessage(message, field, index);
        return Walk(child, path, depth + 1, json_depth, in_json);
      }
      default:
        return absl::OkStatus();
    }
  }

  static absl::Status Finite(double d, const std::string& path) {
    if (std::isfinite(d)) return absl::OkStatus();
    return absl::InvalidArgumentError(
        absl::StrCat("field ", path, " is ", std::isnan(d) ? "NaN" : "infinite",
                     "; JSON numbers and this API accept finite numbers only"));
  }

  const InputLimits& limits_;
  int64_t elements_ = 0;
};

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, overlong lead (C0, C1) or beyond U+10FFFF
    }
    if (n - i <= static_cast<size_t>(extra)) return false;
    for (int k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;  // overlong or out of range
    }
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;  // UTF-16 surrogates
    i += extra + 1;
  }
  return true;
}

absl::Status CheckText(absl::string_view text, absl::string_view what) {
  size_t nul = text.find('\0');
  if (nul != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " contains a NUL byte (at byte ", nul, "); text may not hold NUL"));
  }
  if (!IsValidUtf8(text)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckInput(const Message& message, const InputLimits& limits) {
  Walker walker(limits);
  return walker.Walk(message, "", 0, 0, false);
}

}  // namespace bulwark
