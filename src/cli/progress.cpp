#include "cli/progress.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <unistd.h>

namespace referee::cli {

namespace {

constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

// 0:07, 12:34, 1:02:03
std::string clock_text(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

// "done in 0.4 s" for a short run, the clock form past a minute.
std::string elapsed_text(double seconds) {
  if (seconds >= 60.0) return clock_text(seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

ProgressMode progress_mode(std::optional<bool> forced, int fd) {
  const bool terminal = ::isatty(fd) == 1;
  if (forced.has_value() && !*forced) return ProgressMode::off;
  if (terminal) return ProgressMode::terminal;
  return forced.value_or(false) ? ProgressMode::lines : ProgressMode::off;
}

ProgressBar::~ProgressBar() {
  if (mid_line_) {
    std::fputc('\n', out_);
    std::fflush(out_);
  }
}

std::function<void(double)> ProgressBar::callback() {
  if (mode_ == ProgressMode::off) return {};
  return [this](double fraction) { update(fraction); };
}

void ProgressBar::update(double fraction) {
  const Clock::time_point now = Clock::now();
  if (!first_) first_ = {now, fraction};
  if (mode_ == ProgressMode::terminal) draw_terminal(fraction, now);
  if (mode_ == ProgressMode::lines) draw_line(fraction, now);
}

// Remaining time at the pace since the first report; none until the pace is known.
std::optional<double> ProgressBar::eta_seconds(double fraction, Clock::time_point now) {
  const auto& [first_time, first_fraction] = *first_;
  const double done = fraction - first_fraction;
  if (done <= 0.0) return std::nullopt;
  return seconds_between(first_time, now) * (1.0 - fraction) / done;
}

void ProgressBar::draw_terminal(double fraction, Clock::time_point now) {
  const bool finished = fraction >= 1.0;
  if (!finished && mid_line_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  const int filled = static_cast<int>(kBarWidth * std::min(fraction, 1.0));
  std::string line = "\rreferee: bootstrap [" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "]";
  char percent[16];
  std::snprintf(percent, sizeof percent, " %3d%%", static_cast<int>(100.0 * std::min(fraction, 1.0)));
  line += percent;
  if (finished) {
    line += "  done in " + elapsed_text(seconds_between(start_, now)) + "\n";
  } else {
    const auto eta = eta_seconds(fraction, now);
    line += "  ETA " + (eta ? clock_text(*eta) : std::string("-:--")) + "  ";  // pads a shorter ETA's tail
  }
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
  mid_line_ = !finished;
}

void ProgressBar::draw_line(double fraction, Clock::time_point now) {
  const int tenths = static_cast<int>(std::floor(10.0 * std::min(fraction, 1.0)));
  if (tenths <= tenths_shown_) return;
  tenths_shown_ = tenths;
  std::string line = "referee: bootstrap " + std::to_string(tenths * 10) + "%";
  if (tenths >= 10) {
    line += ", done in " + elapsed_text(seconds_between(start_, now));
  } else if (const auto eta = eta_seconds(fraction, now)) {
    line += ", ETA " + clock_text(*eta);
  }
  std::fputs((line + "\n").c_str(), out_);
  std::fflush(out_);
}

}  // namespace referee::cli
