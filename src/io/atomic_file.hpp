#pragma once
// Write-then-rename: the destination holds either its old content or the whole new
// content, never a prefix, even if the process dies mid-write.

#include <filesystem>
#include <string_view>

namespace referee {

void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace referee
