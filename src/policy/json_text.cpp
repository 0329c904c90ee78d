#include "policy/json_text.hpp"

#include <iterator>
#include <vector>

#include <referee/error.hpp>

#include "common/limit_text.hpp"
#include "common/quoted.hpp"
#include "io/utf8.hpp"

namespace referee {
namespace {

using json = nlohmann::json;

// Line and column (1-based, columns in characters) of byte offsets met in increasing
// order, so that the whole document costs one pass however many paths it records.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}
  JsonSource::Position at(std::size_t offset) {
    offset = std::min(offset, text_.size());
    if (offset < offset_) offset_ = 0, position_ = {1, 1};
    for (; offset_ < offset; ++offset_) {
      const auto byte = static_cast<unsigned char>(text_[offset_]);
      if (byte == '\n') {
        ++position_.line;
        position_.column = 1;
      } else if ((byte & 0xC0) != 0x80) {
        ++position_.column;
      }
    }
    return position_;
  }

 private:
  std::string_view text_;
  std::size_t offset_ = 0;
  JsonSource::Position position_{1, 1};
};

// nlohmann's SAX events carry no position; its lexer reads through this iterator, which
// leaves behind how far it has read.
struct TrackingIterator {
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  const char* at;
  const char** high_water;
  reference operator*() const { return *at; }
  TrackingIterator& operator++() {
    *high_water = ++at;
    return *this;
  }
  bool operator==(const TrackingIterator& other) const { return at == other.at; }
};

std::string location(const std::string& name, JsonSource::Position p) {
  return name + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) + ": ";
}

// nlohmann's own message after its "parse error at line L, column C: " prefix (our
// prefix says that), escaped, since it may quote the offending text.
std::string parse_error_detail(const std::string& what) {
  const std::string marker = ", column ";
  auto start = what.find(marker);
  if (start != std::string::npos) start = what.find(": ", start);
  std::string detail = start == std::string::npos ? what : what.substr(start + 2);
  // "last read: '...'" is the file's own text, which may be a data value (a case's
  // name, a cell pasted into a policy): no error prints a file's contents.
  const auto read_at = detail.find("; last read: ");
  if (read_at != std::string::npos) {
    const auto expected_at = detail.rfind("; expected ");
    detail.erase(read_at, expected_at == std::string::npos || expected_at < read_at ? std::string::npos
                                                                                    : expected_at - read_at);
  }
  return escaped(detail, 200);
}

// Builds the DOM as nlohmann's own SAX DOM parser does, and adds the checks and the
// positions. An event that breaks a rule records the error and returns false, which
// stops the parse at once.
class CheckedDomBuilder {
 public:
  CheckedDomBuilder(json& root, std::string_view text, const char* const& cursor, const Limits& limits,
                    JsonSource& source)
      : root_(root), text_(text), cursor_(cursor), limits_(limits), source_(source), lines_(text) {}

  bool null() { return value(nullptr); }
  bool boolean(bool b) { return value(b); }
  bool number_integer(json::number_integer_t n) { return value(n); }
  bool number_unsigned(json::number_unsigned_t n) { return value(n); }
  bool number_float(json::number_float_t x, const std::string&) { return value(x); }
  bool string(json::string_t& s) { return value(std::move(s)); }
  bool binary(json::binary_t& b) { return value(std::move(b)); }
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& k) {
    Frame& f = frames_.back();
    // The key's opening quote, when it holds no escapes: where an editor should point.
    const std::size_t start = offset() >= k.size() + 2 ? offset() - k.size() - 2 : 0;
    f.member_path = json_member_path(f.path, k);
    if (f.node->contains(k)) return fail(start, f.member_path + " is given twice; remove one (the gate would enforce the last)");
    record(f.member_path, start);
    f.key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string& last_token, const json::exception& ex) {
    if (ex.id == 406)
      return fail(position, "the number " + quoted_excerpt(last_token, 40) + " is beyond the range of a double");
    return fail(position, "invalid JSON: " + parse_error_detail(ex.what()));
  }

  const std::string& error() const { return error_; }

 private:
  struct Frame {
    json* node;
    std::string path;
    std::string key, member_path;  // objects: the member being read
    std::size_t next_index = 0;    // arrays: the element being read
  };

  std::size_t offset() const { return static_cast<std::size_t>(cursor_ - text_.data()); }

  bool fail(std::size_t offset, const std::string& what) {
    if (error_.empty()) error_ = location(source_.name, lines_.at(offset)) + what;
    return false;
  }
  void record(const std::string& path, std::size_t offset) { source_.positions.emplace(path, lines_.at(offset)); }

  // Places a value where the parse stands: the root, the object's current key, or the
  // array's next element; returns it with its JSON path.
  std::pair<json*, std::string> place(json&& v) {
    if (frames_.empty()) {
      root_ = std::move(v);
      record("$", 0);
      return {&root_, "$"};
    }
    Frame& f = frames_.back();
    if (f.node->is_object()) {
      json& member = (*f.node)[f.key];
      member = std::move(v);
      return {&member, f.member_path};
    }
    std::string path = f.path + "[" + std::to_string(f.next_index++) + "]";
    record(path, offset() > 0 ? offset() - 1 : 0);
    f.node->push_back(std::move(v));
    return {&f.node->back(), std::move(path)};
  }

  bool value(json&& v) {
    place(std::move(v));
    return true;
  }
  bool open(json&& container) {
    if (frames_.size() >= limits_.max_json_depth)
      return fail(offset(), "nesting is deeper than " + limit_text(limits_, "max_json_depth"));
    auto [node, path] = place(std::move(container));
    frames_.push_back({node, std::move(path), {}, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }

  json& root_;
  std::string_view text_;
  const char* const& cursor_;
  const Limits& limits_;
  JsonSource& source_;
  LineCounter lines_;
  std::vector<Frame> frames_;
  std::string error_;
};

void check_size_and_encoding(std::string_view text, const std::string& name, const Limits& limits) {
  if (text.size() > limits.max_policy_bytes)
    throw PolicyError(name + ": is " + std::to_string(text.size()) + " bytes, larger than " +
                      limit_text(limits, "max_policy_bytes"));
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0)
      throw PolicyError(location(name, LineCounter(text).at(i)) +
                        "is not valid UTF-8; a policy is JSON text, which must be UTF-8");
    i += length;
  }
}

bool is_plain_word(std::string_view key) {
  if (key.empty() || key.size() > 64) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
          c == '@'))
      return false;
  return true;
}

}  // namespace

std::string JsonSource::locate(const std::string& path) const {
  for (std::string p = path; !p.empty();) {
    if (const auto it = positions.find(p); it != positions.end()) return location(name, it->second);
    const auto cut = p.find_last_of(".[");
    if (cut == std::string::npos || cut == 0) break;
    p.resize(cut);
  }
  return name + ": ";
}

JsonText read_json_text(std::string_view text, std::string name, const Limits& limits) {
  JsonText out;
  out.source.name = std::move(name);
  check_size_and_encoding(text, out.source.name, limits);
  const char* cursor = text.data();
  CheckedDomBuilder builder(out.document, text, cursor, limits, out.source);
  const TrackingIterator first{text.data(), &cursor}, last{text.data() + text.size(), &cursor};
  if (!json::sax_parse(first, last, &builder) || !builder.error().empty())
    throw PolicyError(builder.error().empty() ? out.source.name + ": invalid JSON" : builder.error());
  return out;
}

void check_json_depth(const nlohmann::json& document, const JsonSource& source, const Limits& limits) {
  // Iterative on purpose: the check must not itself recurse as deep as what it checks.
  std::vector<std::pair<const json*, std::uint64_t>> pending{{&document, 1}};
  while (!pending.empty()) {
    const auto [node, depth] = pending.back();
    pending.pop_back();
    if (!node->is_structured()) continue;
    if (depth > limits.max_json_depth)
      throw PolicyError(source.name + ": nesting is deeper than " + limit_text(limits, "max_json_depth"));
    for (const json& child : *node) pending.emplace_back(&child, depth + 1);
  }
}

std::string json_member_path(const std::string& parent, std::string_view key) {
  return is_plain_word(key) ? parent + "." + std::string(key) : parent + "[" + quoted_excerpt(key) + "]";
}

std::string json_excerpt(const nlohmann::json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) return quoted_excerpt(value.get_ref<const std::string&>());
  return escaped(value.dump(), 40);
}

}  // namespace referee
