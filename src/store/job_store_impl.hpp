// Private to the store module: the SQLiteCpp connection behind JobStore.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "gridbatch/store/job_store.hpp"

namespace gridbatch::store {

struct JobStore::Impl {
  explicit Impl(SQLite::Database database) : db(std::move(database)) {}
  SQLite::Database db;
};

// Turns a SQLiteCpp exception into gridbatch::Error with an exit code and a
// message naming the database file and what was being done.
[[noreturn]] void RethrowStoreError(const std::string& path, const std::string& doing,
                                    const SQLite::Exception& e);

}  // namespace gridbatch::store
