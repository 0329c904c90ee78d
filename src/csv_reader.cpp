#include <referee/csv_reader.hpp>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <referee/did_you_mean.hpp>
#include <referee/error.hpp>
#include <referee/sha256.hpp>

namespace referee {

namespace {

constexpr std::size_t kChunkBytes = 1 << 20;

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0 && c >= 0xC2) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((c & 0xF8) == 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

std::string shown(std::string_view cell) {
  std::string s(cell.substr(0, 40));
  if (cell.size() > 40) s += "...";
  return "\"" + s + "\"";
}

// Splits the byte stream into records of fields. Fields of one record live in one
// string buffer (offsets into it), so parsing allocates per record, not per cell.
class RecordParser {
 public:
  explicit RecordParser(std::string origin) : origin_(std::move(origin)) {}

  // Feeds bytes; calls on_record(fields, line) for every complete record.
  template <class OnRecord>
  void feed(std::string_view bytes, OnRecord&& on_record) {
    for (const char ch : bytes) {
      if (in_quotes_) {
        if (quote_pending_) {
          quote_pending_ = false;
          if (ch == '"') {
            field_.push_back('"');
            continue;
          }
          in_quotes_ = false;  // the quote closed the field; handle ch below
        } else if (ch == '"') {
          quote_pending_ = true;
          continue;
        } else {
          if (ch == '\n') ++physical_line_;
          field_.push_back(ch);
          continue;
        }
      }
      switch (ch) {
        case '"':
          if (field_.empty() && !field_quoted_) {
            in_quotes_ = true;
            field_quoted_ = true;
            quote_line_ = physical_line_;
          } else {
            throw DataError(origin_ + ": line " + std::to_string(physical_line_) +
                            ": a quote inside an unquoted field (quote the whole field)");
          }
          break;
        case ',':
          end_field();
          break;
        case '\r':
          pending_cr_ = true;
          break;
        case '\n':
          pending_cr_ = false;
          end_record(on_record);
          ++physical_line_;
          break;
        default:
          if (pending_cr_) {
            throw DataError(origin_ + ": line " + std::to_string(physical_line_) +
                            ": a carriage return inside a field");
          }
          if (field_quoted_)
            throw DataError(origin_ + ": line " + std::to_string(physical_line_) +
                            ": text after a closing quote");
          field_.push_back(ch);
      }
      if (ch != '\r' && ch != '\n') pending_cr_ = false;
    }
  }

  template <class OnRecord>
  void finish(OnRecord&& on_record) {
    if (in_quotes_ && !quote_pending_)
      throw DataError(origin_ + ": line " + std::to_string(quote_line_) +
                      ": a quoted field is never closed");
    in_quotes_ = false;
    quote_pending_ = false;
    if (!field_.empty() || field_quoted_ || !fields_.empty()) end_record(on_record);
  }

 private:
  void end_field() {
    fields_.push_back(field_);
    field_.clear();
    field_quoted_ = false;
  }

  template <class OnRecord>
  void end_record(OnRecord&& on_record) {
    end_field();
    if (in_quotes_) return;
    on_record(fields_, record_line_);
    fields_.clear();
    record_line_ = physical_line_ + 1;
  }

  std::string origin_;
  std::vector<std::string> fields_;
  std::string field_;
  bool in_quotes_ = false, quote_pending_ = false, field_quoted_ = false, pending_cr_ = false;
  std::size_t physical_line_ = 1, record_line_ = 1, quote_line_ = 1;
};

struct ColumnSink {
  const CsvColumnRequest* request;
  std::size_t index;  // position in the header
  CsvColumn* out;
  std::unordered_map<std::string, std::uint32_t> codes;
};

}  // namespace

CsvTable read_csv(const std::filesystem::path& path, std::span<const CsvColumnRequest> requests) {
  const std::string origin = path.string();
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw IoError(origin + ": cannot open: it is a directory");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(origin.c_str(), "rb"), &std::fclose);
  if (!file) throw IoError(origin + ": cannot open: " + std::strerror(errno));

  CsvTable table;
  table.path = origin;
  table.columns.resize(requests.size());
  std::vector<ColumnSink> sinks;
  Sha256 hash;
  RecordParser parser(origin);
  bool have_header = false;
  std::size_t blank_record_line = 0;  // an empty line seen, allowed only at the end

  auto on_record = [&](std::vector<std::string>& fields, std::size_t line) {
    if (fields.size() == 1 && fields[0].empty()) {
      if (!have_header) throw DataError(origin + ": line " + std::to_string(line) + ": empty header line");
      if (!blank_record_line) blank_record_line = line;
      return;
    }
    if (blank_record_line)
      throw DataError(origin + ": row " + std::to_string(table.rows + 1) + " (line " +
                      std::to_string(blank_record_line) + "): empty line");
    if (!have_header) {
      have_header = true;
      for (const auto& name : fields)
        if (!valid_utf8(name))
          throw DataError(origin + ": line " + std::to_string(line) + ": the header is not valid UTF-8");
      table.header = fields;
      for (std::size_t r = 0; r < requests.size(); ++r) {
        const auto& want = requests[r].name;
        std::size_t found = fields.size(), count = 0;
        for (std::size_t i = 0; i < fields.size(); ++i)
          if (fields[i] == want) {
            if (found == fields.size()) found = i;
            ++count;
          }
        if (found == fields.size()) {
          std::string hint = did_you_mean(want, fields);
          if (hint.empty()) {
            hint = " (columns: ";
            for (std::size_t i = 0; i < fields.size() && i < 10; ++i) hint += (i ? ", " : "") + fields[i];
            hint += fields.size() > 10 ? ", ...)" : ")";
          }
          throw DataError(origin + ": no column \"" + want + "\" in the header" + hint);
        }
        if (count > 1) throw DataError(origin + ": column \"" + want + "\" appears " + std::to_string(count) + " times in the header");
        table.columns[r].name = want;
        table.columns[r].kind = requests[r].kind;
        sinks.push_back({&requests[r], found, &table.columns[r], {}});
      }
      return;
    }
    const std::size_t row = table.rows + 1;
    auto where = [&](const std::string& column) {
      return origin + ": row " + std::to_string(row) + " (line " + std::to_string(line) + ")" +
             (column.empty() ? std::string() : ", column \"" + column + "\"") + ": ";
    };
    if (fields.size() != table.header.size())
      throw DataError(where("") + "expected " + std::to_string(table.header.size()) + " fields, found " +
                      std::to_string(fields.size()));
    for (ColumnSink& sink : sinks) {
      const std::string& cell = fields[sink.index];
      const std::string& name = sink.request->name;
      if (sink.request->kind == CsvColumnKind::numeric) {
        std::string_view text(cell);
        while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
        while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
        if (text.empty()) throw DataError(where(name) + "missing value");
        if (text.front() == '+') text.remove_prefix(1);
        double value = 0.0;
        const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (err != std::errc() || end != text.data() + text.size())
          throw DataError(where(name) + shown(cell) + " is not a number");
        if (!std::isfinite(value)) throw DataError(where(name) + shown(cell) + " is not a finite number");
        sink.out->numbers.push_back(value);
      } else {
        if (cell.empty() && !sink.request->allow_missing) throw DataError(where(name) + "missing value");
        if (!valid_utf8(cell)) throw DataError(where(name) + "the value is not valid UTF-8");
        const auto [it, inserted] =
            sink.codes.emplace(cell, static_cast<std::uint32_t>(sink.out->dictionary.size()));
        if (inserted) sink.out->dictionary.push_back(cell);
        sink.out->codes.push_back(it->second);
      }
    }
    ++table.rows;
  };

  std::string chunk(kChunkBytes, '\0');
  bool first_chunk = true;
  for (;;) {
    const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
    if (n == 0) {
      if (std::ferror(file.get())) throw IoError(origin + ": cannot read: " + std::strerror(errno));
      break;
    }
    std::string_view bytes(chunk.data(), n);
    hash.update(bytes);
    if (first_chunk && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);  // UTF-8 BOM
    first_chunk = false;
    parser.feed(bytes, on_record);
  }
  parser.finish(on_record);
  if (!have_header) throw DataError(origin + ": empty file, expected a header row");
  table.sha256 = hash.hex_digest();
  return table;
}

}  // namespace referee
