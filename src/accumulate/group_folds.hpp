#pragma once
// The open key bucket's double folds per grouping and group (docs/partitioned.md): an
// order-free pass folds in doubles only within a bucket and, when the bucket ends, adds
// each group's fold into the pass state's exact sums. Only the groups the bucket touched
// are flushed: a bucket holds a few thousand rows, a grouping may have thousands of groups.
// Shared by the regression and ranking passes; `Sums` is the task's double fold.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace referee {

template <class Sums>
class GroupFolds {
 public:
  // `groups`: the exact sums [grouping][group] this folds into (their shape); `zero`: an
  // empty fold.
  template <class Groups>
  GroupFolds(const Groups& groups, Sums zero) : zero_(std::move(zero)) {
    for (const auto& g : groups) {
      folds_.emplace_back(g.size(), zero_);
      open_.emplace_back(g.size(), 0);
      touched_.emplace_back();
    }
  }

  Sums& at(std::size_t g, std::uint32_t j) {
    if (!open_[g][j]) {
      open_[g][j] = 1;
      touched_[g].push_back(j);
    }
    return folds_[g][j];
  }

  // Adds the touched groups' folds of the quantities `parts` names into `groups` and
  // empties them for the next bucket.
  template <class Groups, class Parts>
  void flush(Groups& groups, Parts parts) {
    for (std::size_t g = 0; g < folds_.size(); ++g) {
      for (std::uint32_t j : touched_[g]) {
        groups[g][j].add(folds_[g][j], parts);
        folds_[g][j] = zero_;
        open_[g][j] = 0;
      }
      touched_[g].clear();
    }
  }

 private:
  Sums zero_;
  std::vector<std::vector<Sums>> folds_;
  std::vector<std::vector<std::uint8_t>> open_;
  std::vector<std::vector<std::uint32_t>> touched_;
};

}  // namespace referee
