#include "store/store_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "outbox/outbox.h"
#include "store/checkpoint_store.h"

namespace trailwatch::store::testing {

void WriteDamagedStore(const std::string& path) {
  {
    auto outbox = outbox::Outbox::Open(path);  // the schema trailwatch run expects
    ASSERT_TRUE(outbox.ok()) << outbox.message();
    auto checkpoints = CheckpointStore::Open(path);
    ASSERT_TRUE(checkpoints.ok()) << checkpoints.message();
    for (int i = 0; i < 400; ++i) {
      ASSERT_TRUE((*checkpoints)
                      ->Put("directory:./logs", "file-" + std::to_string(i), std::string(300, 'x'))
                      .ok());
    }
  }  // the last connection to close checkpoints the WAL into the file
  auto size = std::filesystem::file_size(path);
  constexpr size_t kPage = 4096;  // SQLite's default page size
  ASSERT_GT(size, 20 * kPage);
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekp(static_cast<std::streamoff>((size / kPage / 2) * kPage));
  std::string garbage(kPage, '\x5a');
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  ASSERT_TRUE(file.good());
}

}  // namespace trailwatch::store::testing
