#include "libraries/jsonschema/uri.h"

#include <cctype>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace bulwark {
namespace jsonschema {
namespace internal {
namespace {

// RFC 3986 §5.2.4.
std::string RemoveDotSegments(absl::string_view path) {
  std::string input(path);
  std::string output;
  const auto pop_segment = [&output] {
    const size_t slash = output.rfind('/');
    output.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!input.empty()) {
    if (absl::StartsWith(input, "../")) {
      input.erase(0, 3);
    } else if (absl::StartsWith(input, "./")) {
      input.erase(0, 2);
    } else if (absl::StartsWith(input, "/./")) {
      input.replace(0, 3, "/");
    } else if (input == "/.") {
      input = "/";
    } else if (absl::StartsWith(input, "/../")) {
      input.replace(0, 4, "/");
      pop_segment();
    } else if (input == "/..") {
      input = "/";
      pop_segment();
    } else if (input == "." || input == "..") {
      input.clear();
    } else {
      const size_t next = input.find('/', input[0] == '/' ? 1 : 0);
      output += input.substr(0, next);
      input.erase(0, next);
    }
  }
  return output;
}

// RFC 3986 §5.2.3.
std::string Merge(const UriParts& base, absl::string_view path) {
  if (base.authority && base.path.empty()) return "/" + std::string(path);
  const size_t slash = base.path.rfind('/');
  if (slash == std::string::npos) return std::string(path);
  return base.path.substr(0, slash + 1) + std::string(path);
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int HexValue(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
}

// Whether every character of `text` is unreserved, pct-encoded, a sub-delim,
// one of `extra`, or (for IRIs) non-ASCII.
bool AllAllowed(absl::string_view text, absl::string_view extra, bool iri) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') continue;
    if (absl::string_view("!$&'()*+,;=").find(c) != absl::string_view::npos) continue;
    if (extra.find(c) != absl::string_view::npos) continue;
    if (iri && c >= 0x80) continue;
    if (c == '%' && i + 2 < text.size() && IsHex(text[i + 1]) && IsHex(text[i + 2])) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

bool IsScheme(absl::string_view scheme) {
  if (scheme.empty() || !absl::ascii_isalpha(scheme[0])) return false;
  for (char c : scheme) {
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  return true;
}

// "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
bool IsIpvFuture(absl::string_view host) {
  if (host.empty() || (host[0] | 0x20) != 'v') return false;
  const size_t dot = host.find('.');
  if (dot == absl::string_view::npos || dot < 2 || dot + 1 == host.size()) return false;
  for (char c : host.substr(1, dot - 1)) {
    if (!IsHex(c)) return false;
  }
  const absl::string_view rest = host.substr(dot + 1);
  return rest.find('%') == absl::string_view::npos && AllAllowed(rest, ":", false);
}

bool IsAuthority(absl::string_view authority, bool iri) {
  const size_t at = authority.find('@');
  if (at != absl::string_view::npos) {
    if (!AllAllowed(authority.substr(0, at), ":", iri)) return false;
    authority.remove_prefix(at + 1);
  }
  absl::string_view host = authority;
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return false;
    host = authority.substr(1, close - 1);
    absl::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !absl::ConsumePrefix(&rest, ":")) return false;
    port = rest;
    if (!IsIpv6(host) && !IsIpvFuture(host)) return false;
  } else {
    const size_t colon = authority.rfind(':');
    if (colon != absl::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (!AllAllowed(host, "", iri)) return false;
  }
  for (char c : port) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// Checks `rest` = [ "//" authority path-abempty | path ] [ "?" query ] [ "#"
// fragment ]. `relative` forbids a ':' in the first segment of a relative path
// (path-noscheme).
bool IsHierPartQueryFragment(absl::string_view rest, bool relative, bool iri) {
  const size_t hash = rest.find('#');
  if (hash != absl::string_view::npos) {
    if (!AllAllowed(rest.substr(hash + 1), ":@/?", iri)) return false;
    rest = rest.substr(0, hash);
  }
  const size_t question = rest.find('?');
  if (question != absl::string_view::npos) {
    if (!AllAllowed(rest.substr(question + 1), ":@/?", iri)) return false;
    rest = rest.substr(0, question);
  }
  absl::string_view path = rest;
  if (absl::ConsumePrefix(&path, "//")) {
    const size_t slash = path.find('/');
    if (!IsAuthority(path.substr(0, slash), iri)) return false;
    path = slash == absl::string_view::npos ? absl::string_view() : path.substr(slash);
  } else if (relative && !absl::StartsWith(path, "/")) {
    const absl::string_view first = path.substr(0, path.find('/'));
    if (first.find(':') != absl::string_view::npos) return false;
  }
  return AllAllowed(path, ":@/", iri);
}

}  // namespace

std::string UriParts::ToString() const {
  std::string out;
  if (scheme) out += *scheme + ":";
  if (authority) out += "//" + *authority;
  out += path;
  if (query) out += "?" + *query;
  if (fragment) out += "#" + *fragment;
  return out;
}

UriParts SplitUri(absl::string_view uri) {
  UriParts parts;
  const size_t delimiter = uri.find_first_of(":/?#");
  if (delimiter != absl::string_view::npos && delimiter > 0 && uri[delimiter] == ':') {
    parts.scheme = std::string(uri.substr(0, delimiter));
    uri.remove_prefix(delimiter + 1);
  }
  const size_t hash = uri.find('#');
  if (hash != absl::string_view::npos) {
    parts.fragment = std::string(uri.substr(hash + 1));
    uri = uri.substr(0, hash);
  }
  const size_t question = uri.find('?');
  if (question != absl::string_view::npos) {
    parts.query = std::string(uri.substr(question + 1));
    uri = uri.substr(0, question);
  }
  if (absl::ConsumePrefix(&uri, "//")) {
    const size_t slash = uri.find('/');
    parts.authority = std::string(uri.substr(0, slash));
    uri = slash == absl::string_view::npos ? absl::string_view() : uri.substr(slash);
  }
  parts.path = std::string(uri);
  return parts;
}

std::string ResolveUri(absl::string_view base_text, absl::string_view reference) {
  const UriParts ref = SplitUri(reference);
  const UriParts base = SplitUri(base_text);
  UriParts target;
  if (ref.scheme) {
    target = ref;
    target.path = RemoveDotSegments(ref.path);
  } else {
    if (ref.authority) {
      target.authority = ref.authority;
      target.path = RemoveDotSegments(ref.path);
      target.query = ref.query;
    } else {
      if (ref.path.empty()) {
        target.path = base.path;
        target.query = ref.query ? ref.query : base.query;
      } else {
        target.path =
            RemoveDotSegments(absl::StartsWith(ref.path, "/") ? ref.path : Merge(base, ref.path));
        target.query = ref.query;
      }
      target.authority = base.authority;
    }
    target.scheme = base.scheme;
  }
  target.fragment = ref.fragment;
  if (target.scheme) absl::AsciiStrToLower(&*target.scheme);
  return target.ToString();
}

std::pair<std::string, std::string> SplitFragment(absl::string_view uri) {
  const size_t hash = uri.find('#');
  if (hash == absl::string_view::npos) return {std::string(uri), ""};
  return {std::string(uri.substr(0, hash)), std::string(uri.substr(hash + 1))};
}

std::string PercentDecode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && IsHex(text[i + 1]) && IsHex(text[i + 2])) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

bool IsUri(absl::string_view text, bool iri) {
  const size_t colon = text.find(':');
  if (colon == absl::string_view::npos || !IsScheme(text.substr(0, colon))) return false;
  return IsHierPartQueryFragment(text.substr(colon + 1), /*relative=*/false, iri);
}

bool IsUriReference(absl::string_view text, bool iri) {
  return IsUri(text, iri) || IsHierPartQueryFragment(text, /*relative=*/true, iri);
}

bool IsIpv4(absl::string_view text) {
  const std::vector<absl::string_view> octets = absl::StrSplit(text, '.');
  if (octets.size() != 4) return false;
  for (absl::string_view octet : octets) {
    if (octet.empty() || octet.size() > 3 || (octet.size() > 1 && octet[0] == '0')) {
      return false;
    }
    int value = 0;
    for (char c : octet) {
      if (!absl::ascii_isdigit(c)) return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
  }
  return true;
}

bool IsIpv6(absl::string_view text) {
  // Counts the 16-bit groups of one side of "::"; a trailing dotted quad counts
  // as two.
  const auto count_groups = [](absl::string_view side, bool ipv4_allowed, int* groups) {
    *groups = 0;
    if (side.empty()) return true;
    const std::vector<absl::string_view> parts = absl::StrSplit(side, ':');
    for (size_t i = 0; i < parts.size(); ++i) {
      const absl::string_view part = parts[i];
      if (ipv4_allowed && i + 1 == parts.size() && part.find('.') != part.npos) {
        if (!IsIpv4(part)) return false;
        *groups += 2;
        continue;
      }
      if (part.empty() || part.size() > 4) return false;
      for (char c : part) {
        if (!IsHex(c)) return false;
      }
      ++*groups;
    }
    return true;
  };
  const size_t gap = text.find("::");
  int head = 0;
  int tail = 0;
  if (gap == absl::string_view::npos) {
    return count_groups(text, true, &head) && head == 8;
  }
  if (text.find("::", gap + 1) != absl::string_view::npos) return false;
  return count_groups(text.substr(0, gap), false, &head) &&
         count_groups(text.substr(gap + 2), true, &tail) && head + tail <= 7;
}

}  // namespace internal
}  // namespace jsonschema
}  // namespace bulwark
