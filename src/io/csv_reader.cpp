#include "io/csv_reader.hpp"
#include "common/limit_text.hpp"
#include "io/utf8.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "common/did_you_mean.hpp"
#include "common/quoted.hpp"
#include <referee/error.hpp>
#include <referee/limits.hpp>
#include "io/input_file.hpp"
#include "io/sha256.hpp"

namespace referee {

namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kShownChars = 64;     // of a header name quoted in a message
constexpr std::size_t kListedColumns = 10;  // header names listed when nothing is close
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

void append_escaped_byte(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
  }
}

// A column name as a message shows it: in quotes, cut to 64 characters, with control bytes,
// broken UTF-8 and the bidirectional overrides escaped (as common/quoted.hpp does). The message must stay one line of valid UTF-8, because it can
// end up in a Python exception, a JSON report or a terminal. Only names are shown: no
// message of the reader quotes a cell, which is data the gate guards.
std::string quoted_name(std::string_view name) {
  std::string out = "\"";
  std::size_t i = 0;
  for (std::size_t chars = 0; i < name.size() && chars < kShownChars; ++chars) {
    const auto c = static_cast<unsigned char>(name[i]);
    const std::size_t length = utf8_sequence_length(name, i);
    if (length == 0 || c < 0x20 || c == 0x7F) {
      append_escaped_byte(out, c);
      ++i;
      continue;
    }
    if (is_hidden_character(name, i, length)) {
      for (std::size_t k = 0; k < length; ++k) append_escaped_byte(out, static_cast<unsigned char>(name[i + k]));
      i += length;
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out.append(name.substr(i, length));
    i += length;
  }
  if (i < name.size()) out += "...";
  return out + "\"";
}

// ---- numbers ------------------------------------------------------------------------

// Hand-written: find_first_not_of(" \t") costs a memchr per byte, on every cell.
std::string_view trim_blanks(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

long long saturated_exponent(std::string_view digits) {
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  constexpr long long kHuge = 1'000'000'000'000LL;  // far past any double, safe to add to
  long long value = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), value).ec == std::errc::result_out_of_range ||
      value > kHuge)
    value = kHuge;
  return negative ? -value : value;
}

// from_chars reports both overflow and underflow as result_out_of_range and leaves the
// value alone. Underflow should read as zero, as strtod rounds it, so tell the two apart:
// the power of ten of the leading nonzero digit, plus the exponent, is positive only for
// overflow. `decimal` is a complete pattern that from_chars accepted.
bool overflows(std::string_view decimal) {
  if (!decimal.empty() && decimal.front() == '-') decimal.remove_prefix(1);
  const std::size_t e = decimal.find_first_of("eE");
  const std::string_view mantissa = decimal.substr(0, e);
  const long long exponent = e == std::string_view::npos ? 0 : saturated_exponent(decimal.substr(e + 1));
  const std::size_t whole_digits = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t first = mantissa.find_first_not_of("0.");
  if (first == std::string_view::npos) return false;
  const long long power = first < whole_digits ? static_cast<long long>(whole_digits - first - 1)
                                               : -static_cast<long long>(first - whole_digits);
  return power + exponent > 0;
}

NumberStatus parse_number(std::string_view text, double& value) {
  if (text.empty()) return NumberStatus::missing;
  // from_chars refuses a leading '+', which spreadsheets and printf("%+g") write.
  if (text.size() > 1 && text[0] == '+' && text[1] != '+' && text[1] != '-') text.remove_prefix(1);
  const char* const last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(text.data(), last, value);
  if (ec == std::errc::invalid_argument || end != last) return NumberStatus::not_a_number;
  if (ec == std::errc::result_out_of_range) {
    if (overflows(text)) return NumberStatus::not_finite;
    value = text.front() == '-' ? -0.0 : 0.0;
    return NumberStatus::ok;
  }
  return std::isfinite(value) ? NumberStatus::ok : NumberStatus::not_finite;
}

// ---- the reader ---------------------------------------------------------------------

struct StringHash {
  using is_transparent = void;  // lets a string_view find a std::string key, no temporary
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Where the cells of one requested column go.
struct ColumnSink {
  const CsvColumnRequest* request;
  std::size_t field;  // position in the header
  CsvColumn* out;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> codes;
};

// A field of the current record, as a range of record_ (its unescaped bytes).
struct FieldSpan {
  std::size_t begin;
  std::size_t end;
  bool quoted;
};

// The bytes that end a run of an unquoted field; every other byte is copied in bulk.
constexpr std::array<bool, 256> kEndsUnquotedRun = [] {
  std::array<bool, 256> table{};
  for (const unsigned char c : {',', '\n', '\r', '"'}) table[c] = true;
  return table;
}();

const char* find_unquoted_end(const char* p, const char* end) {
  while (p < end && !kEndsUnquotedRun[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

// An RFC 4180 state machine fed chunk by chunk, so a record may span chunks. Each record's
// fields are unescaped into one reused buffer, so a row costs no allocation once the
// buffers have grown to the widest record. That buffer never grows past the caps: a field
// is scanned only as far as max_field_bytes, a record only as far as max_record_bytes, so an
// unclosed quote or a file without line ends fails at the cap, not at the end of the file.
class Reader {
 public:
  Reader(std::string origin, std::span<const CsvColumnRequest> requests, const Limits& limits,
         CsvRequestsFromHeader from_header = {})
      : requests_(requests), from_header_(std::move(from_header)), limits_(limits) {
    table_.path = std::move(origin);
    table_.columns.resize(requests.size());
  }

  void feed(std::string_view bytes);
  CsvTable finish();
  std::size_t rows() const { return table_.rows; }
  void reserve_rows(std::size_t rows);

 private:
  enum class State { record_start, field_start, unquoted, quoted, quote_in_quoted, after_quote, after_cr };

  const char* scan_unquoted(const char* p, const char* end);
  const char* scan_quoted(const char* p, const char* end);
  // The current record's bytes in the file up to p (quotes and commas included, its line
  // end not), and the current field's unescaped bytes.
  std::uint64_t record_bytes(const char* p) const {
    return offset_ + static_cast<std::uint64_t>(p - chunk_) - record_offset_;
  }
  std::size_t field_bytes() const { return record_.size() - (fields_.empty() ? 0 : fields_.back().end); }
  const char* scan_limit(const char* p, const char* end) const;
  void check_lengths(const char* p) const;
  bool end_of_field(char c);
  void end_field();
  void end_line();
  void end_record();
  bool record_is_blank() const;
  std::string_view field_text(const FieldSpan& f) const;

  void take_header();
  void bind(const CsvColumnRequest& request, CsvColumn& out);
  void take_row();
  void take_number(ColumnSink& sink, const FieldSpan& f);
  void take_text(ColumnSink& sink, const FieldSpan& f);

  std::string record_place(std::size_t line) const;
  std::string column_name(std::size_t field) const;
  DataError field_error(const std::string& what) const;
  DataError record_error(const std::string& what) const;
  DataError cell_error(const ColumnSink& sink, const std::string& what) const;
  DataError empty_line_error() const;
  DataError missing_column_error(const std::string& name) const;

  std::span<const CsvColumnRequest> requests_;
  CsvRequestsFromHeader from_header_;
  std::vector<CsvColumnRequest> header_requests_;  // from_header_'s, when given
  Limits limits_;
  CsvTable table_;
  std::vector<ColumnSink> sinks_;
  bool have_header_ = false;

  State state_ = State::record_start;
  std::string record_;
  std::vector<FieldSpan> fields_;
  std::size_t extra_fields_ = 0;  // fields of a row past the header's count: counted, not kept
  bool field_quoted_ = false;
  const char* chunk_ = nullptr;   // the chunk being fed, which starts at stream offset_
  std::uint64_t offset_ = 0;
  std::uint64_t record_offset_ = 0;  // where the current record starts in the stream
  std::size_t line_ = 1;         // the physical line being read
  std::size_t record_line_ = 1;  // where the current record started
  std::size_t quote_line_ = 1;   // where the open quoted field started
  std::size_t blank_line_ = 0;   // the first blank line since the last record, or 0
};

void Reader::feed(std::string_view bytes) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  chunk_ = p;
  while (p < end) {
    switch (state_) {
      case State::record_start:
        record_line_ = line_;
        record_offset_ = offset_ + static_cast<std::uint64_t>(p - chunk_);
        state_ = State::field_start;
        break;
      case State::field_start:
        if (*p == '"') {
          ++p;
          field_quoted_ = true;
          quote_line_ = line_;
          state_ = State::quoted;
        } else {
          state_ = State::unquoted;
        }
        break;
      case State::unquoted:
        p = scan_unquoted(p, end);
        break;
      case State::quoted:
        p = scan_quoted(p, end);
        break;
      case State::quote_in_quoted:
        if (*p == '"') {
          record_ += '"';
          ++p;
          state_ = State::quoted;
        } else {
          check_lengths(p);  // the record's bytes now include the closing quote
          state_ = State::after_quote;
        }
        break;
      case State::after_quote:
        if (!end_of_field(*p))
          throw field_error("text after the closing quote (a quoted field must end at a comma or line end)");
        ++p;
        break;
      case State::after_cr:
        if (*p != '\n')
          throw field_error("a carriage return not followed by a line feed (quote a field to keep one)");
        ++p;
        end_line();
        break;
    }
  }
  offset_ += bytes.size();
}

// How far a scan may go from p: one byte past the nearer cap at most, so the check after it
// sees the overrun before the buffer has grown any further.
const char* Reader::scan_limit(const char* p, const char* end) const {
  const std::uint64_t field = field_bytes(), record = record_bytes(p);
  const std::uint64_t field_room = limits_.max_field_bytes - std::min(field, limits_.max_field_bytes);
  const std::uint64_t record_room = limits_.max_record_bytes - std::min(record, limits_.max_record_bytes);
  const std::uint64_t room = std::min(field_room, record_room) + 1;
  return room < static_cast<std::uint64_t>(end - p) ? p + room : end;
}

void Reader::check_lengths(const char* p) const {
  if (field_bytes() > limits_.max_field_bytes)
    throw field_error("the field is longer than " + limit_text(limits_, "max_field_bytes"));
  if (record_bytes(p) > limits_.max_record_bytes)
    throw record_error("the record is longer than " + limit_text(limits_, "max_record_bytes"));
}

const char* Reader::scan_unquoted(const char* p, const char* end) {
  const char* const limit = scan_limit(p, end);
  const char* stop = find_unquoted_end(p, limit);
  record_.append(p, static_cast<std::size_t>(stop - p));
  check_lengths(stop);
  if (stop == limit) return limit;
  if (*stop == '"')
    throw field_error("a quote inside an unquoted field (quote the whole field and double the quotes inside it)");
  end_of_field(*stop);
  return stop + 1;
}

const char* Reader::scan_quoted(const char* p, const char* end) {
  const char* const limit = scan_limit(p, end);
  const auto* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(limit - p)));
  const char* stop = quote ? quote : limit;
  line_ += static_cast<std::size_t>(std::count(p, stop, '\n'));
  record_.append(p, static_cast<std::size_t>(stop - p));
  check_lengths(stop);
  if (!quote) return limit;
  state_ = State::quote_in_quoted;  // either a closing quote or the first of a "" pair
  return quote + 1;
}

// Acts on a byte that may end the current field; false if it does not.
bool Reader::end_of_field(char c) {
  switch (c) {
    case ',':
      end_field();
      state_ = State::field_start;
      return true;
    case '\n':
      end_line();
      return true;
    case '\r':
      state_ = State::after_cr;
      return true;
    default:
      return false;
  }
}

void Reader::end_field() {
  const bool quoted = std::exchange(field_quoted_, false);
  // A row longer than the header is an error once it ends; until then its extra fields
  // are only counted and their bytes dropped, so a row of a million commas costs nothing.
  if (have_header_ && fields_.size() >= table_.header.size()) {
    ++extra_fields_;
    record_.resize(fields_.back().end);
    return;
  }
  const std::size_t begin = fields_.empty() ? 0 : fields_.back().end;
  fields_.push_back({begin, record_.size(), quoted});
}

void Reader::end_line() {
  end_field();
  end_record();
  ++line_;
  state_ = State::record_start;
}

bool Reader::record_is_blank() const {
  return fields_.size() == 1 && !fields_[0].quoted && fields_[0].begin == fields_[0].end;
}

std::string_view Reader::field_text(const FieldSpan& f) const {
  return std::string_view(record_).substr(f.begin, f.end - f.begin);
}

void Reader::end_record() {
  if (record_is_blank()) {
    // Only blank lines at the very end are harmless (editors add them); one in the middle
    // more likely means a truncated or concatenated file.
    if (blank_line_ == 0) blank_line_ = record_line_;
  } else {
    if (blank_line_ != 0) throw empty_line_error();
    if (have_header_) {
      take_row();
    } else {
      take_header();
    }
  }
  record_.clear();
  fields_.clear();
  extra_fields_ = 0;
}

CsvTable Reader::finish() {
  switch (state_) {
    case State::record_start:
      break;
    case State::quoted:
      throw field_error("the quoted field that starts on line " + std::to_string(quote_line_) +
                        " is never closed");
    default:
      end_field();
      end_record();
  }
  if (!have_header_) {
    throw DataError(table_.path + (blank_line_ ? ": only blank lines, expected a header row"
                                               : ": empty file, expected a header row"));
  }
  return std::move(table_);
}

void Reader::reserve_rows(std::size_t rows) {
  for (ColumnSink& sink : sinks_) {
    if (sink.request->kind == CsvColumnKind::numeric) {
      sink.out->numbers.reserve(rows);
    } else {
      sink.out->codes.reserve(rows);
    }
  }
}

void Reader::take_header() {
  table_.header.reserve(fields_.size());
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const std::string_view name = field_text(fields_[i]);
    if (!valid_utf8(name)) {
      throw DataError(record_place(record_line_) + ", column " + std::to_string(i + 1) +
                      ": the name is not valid UTF-8");
    }
    table_.header.emplace_back(name);
  }
  have_header_ = true;
  if (from_header_) {
    header_requests_ = from_header_(table_.header);
    requests_ = header_requests_;
    table_.columns.resize(requests_.size());
  }
  sinks_.reserve(requests_.size());
  for (std::size_t r = 0; r < requests_.size(); ++r) bind(requests_[r], table_.columns[r]);
}

void Reader::bind(const CsvColumnRequest& request, CsvColumn& out) {
  const auto& header = table_.header;
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == request.name) positions.push_back(i);
  if (positions.empty()) throw missing_column_error(request.name);
  // A repeated name is ambiguous only when it is asked for; unrelated duplicates (two
  // "notes" columns, say) are the user's business.
  if (positions.size() > 1) {
    throw DataError(table_.path + ": column " + quoted_name(request.name) + " appears " +
                    std::to_string(positions.size()) + " times in the header (columns " +
                    std::to_string(positions[0] + 1) + " and " + std::to_string(positions[1] + 1) +
                    (positions.size() > 2 ? ", ...)" : ")"));
  }
  out.name = request.name;
  out.kind = request.kind;
  sinks_.push_back({&request, positions[0], &out, {}});
}

void Reader::take_row() {
  if (fields_.size() + extra_fields_ != table_.header.size()) {
    throw DataError(record_place(record_line_) + ": expected " + std::to_string(table_.header.size()) +
                    " fields, as in the header, but found " + std::to_string(fields_.size() + extra_fields_));
  }
  for (ColumnSink& sink : sinks_) {
    const FieldSpan& f = fields_[sink.field];
    if (sink.request->kind == CsvColumnKind::numeric) {
      take_number(sink, f);
    } else {
      take_text(sink, f);
    }
  }
  ++table_.rows;
}

void Reader::take_number(ColumnSink& sink, const FieldSpan& f) {
  // Padding such as "0.5 " is formatting, but inside quotes it is what the writer meant.
  const std::string_view text = f.quoted ? field_text(f) : trim_blanks(field_text(f));
  double value = 0.0;
  switch (parse_number(text, value)) {
    case NumberStatus::ok:
      sink.out->numbers.push_back(value);
      return;
    case NumberStatus::missing:
      throw cell_error(sink, "missing value");
    case NumberStatus::not_a_number:
      throw cell_error(sink, "the value is not a number");
    case NumberStatus::not_finite:
      throw cell_error(sink, "the value is not a finite number");
  }
}

void Reader::take_text(ColumnSink& sink, const FieldSpan& f) {
  const std::string_view text = field_text(f);
  if (text.empty() && !sink.request->allow_missing) throw cell_error(sink, "missing value");
  if (const auto it = sink.codes.find(text); it != sink.codes.end()) {
    sink.out->codes.push_back(it->second);
    return;
  }
  // Checked once per distinct value: repeats were checked when first seen.
  if (!valid_utf8(text)) throw cell_error(sink, "the value is not valid UTF-8");
  const auto code = static_cast<std::uint32_t>(sink.out->dictionary.size());
  sink.codes.emplace(std::string(text), code);
  sink.out->dictionary.emplace_back(text);
  sink.out->codes.push_back(code);
}

std::string Reader::record_place(std::size_t line) const {
  const std::string where = have_header_ ? "row " + std::to_string(table_.rows + 1) : std::string("header");
  return table_.path + ": " + where + " (line " + std::to_string(line) + ")";
}

std::string Reader::column_name(std::size_t field) const {
  if (have_header_ && field < table_.header.size()) return "column " + quoted_name(table_.header[field]);
  return "column " + std::to_string(field + 1);
}

// For a problem met while splitting the current record into fields.
DataError Reader::field_error(const std::string& what) const {
  return DataError(record_place(record_line_) + ", " + column_name(fields_.size() + extra_fields_) + ": " + what);
}

// For a problem of the current record as a whole.
DataError Reader::record_error(const std::string& what) const {
  return DataError(record_place(record_line_) + ": " + what);
}

DataError Reader::cell_error(const ColumnSink& sink, const std::string& what) const {
  return DataError(record_place(record_line_) + ", column " + quoted_name(sink.request->name) + ": " + what);
}

DataError Reader::empty_line_error() const {
  if (!have_header_)
    return DataError(table_.path + ": line " + std::to_string(blank_line_) + ": empty line before the header row");
  return DataError(record_place(blank_line_) + ": empty line (blank lines are allowed only at the end of the file)");
}

// Header names are suggested or listed only when the header holds some column asked for:
// a first line that holds none may be a data row (a file without a header), whose cells
// must not be shown.
DataError Reader::missing_column_error(const std::string& name) const {
  const auto& header = table_.header;
  const auto in_header = [&](const CsvColumnRequest& r) {
    return std::find(header.begin(), header.end(), r.name) != header.end();
  };
  std::string hint;
  if (std::none_of(requests_.begin(), requests_.end(), in_header)) {
    hint = "; the first line holds none of the columns asked for: is it the right file, and does it have a "
           "header row?";
  } else if (const std::string close = closest_match(name, header); !close.empty()) {
    hint = " (did you mean " + quoted_name(close) + "?)";
  } else {
    hint = "; the header has ";
    for (std::size_t i = 0; i < header.size() && i < kListedColumns; ++i)
      hint += (i ? ", " : "") + quoted_name(header[i]);
    if (header.size() > kListedColumns)
      hint += " and " + std::to_string(header.size() - kListedColumns) + " more";
  }
  return DataError(table_.path + ": no column " + quoted_name(name) + " in the header" + hint);
}

// ---- the file -----------------------------------------------------------------------

// The whole file's row count, extrapolated from the first chunk, so the column buffers
// are allocated about once instead of doubling their way up (and briefly needing 1.5x).
std::size_t estimated_rows(std::size_t rows_so_far, std::size_t bytes_so_far, std::uint64_t size) {
  if (rows_so_far == 0 || bytes_so_far == 0 || size <= bytes_so_far) return 0;
  const double estimate = 1.02 * static_cast<double>(rows_so_far) * static_cast<double>(size) /
                          static_cast<double>(bytes_so_far);
  return static_cast<std::size_t>(std::min(estimate, static_cast<double>(size / 2 + 1)));
}

}  // namespace

NumberStatus cell_number_status(std::string_view text, double& value) {
  return parse_number(trim_blanks(text), value);
}

std::optional<double> cell_number(std::string_view text) {
  double value = 0.0;
  if (cell_number_status(text, value) != NumberStatus::ok) return std::nullopt;
  return value;
}

CsvTable read_csv(const std::filesystem::path& path, std::span<const CsvColumnRequest> requests,
                  const Limits& limits, CsvRequestsFromHeader from_header) {
  InputFile file(path);
  Reader reader(file.path(), requests, limits, std::move(from_header));
  Sha256 hash;
  // A small file gets a small buffer: zeroing 1 MiB per file dominated the reading of a
  // policy-case table or a fuzz input. A file that grows while read is still read whole.
  std::vector<char> chunk(static_cast<std::size_t>(std::clamp<std::uint64_t>(file.size() + 1, 4096, kChunkBytes)));
  bool first_chunk = true;
  for (;;) {
    const std::size_t n = file.read(chunk);
    if (n == 0) break;
    std::string_view bytes(chunk.data(), n);
    hash.update(bytes);
    if (first_chunk && bytes.starts_with(kByteOrderMark)) bytes.remove_prefix(kByteOrderMark.size());
    reader.feed(bytes);
    if (first_chunk) reader.reserve_rows(estimated_rows(reader.rows(), n, file.size()));
    first_chunk = false;
  }
  CsvTable table = reader.finish();
  table.sha256 = hash.hex_digest();
  return table;
}

}  // namespace referee
