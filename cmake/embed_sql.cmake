# Writes OUT, a C++ source defining gridbatch::store::kMigrations: the text of
# each file of INPUTS (a |-separated list, in order) as a raw string literal.
# Migration N is INPUTS[N-1]; PRAGMA user_version holds the last one applied.
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(body "// Generated from schemas/migrations by cmake/embed_sql.cmake. Do not edit.\n")
string(APPEND body "#include <string_view>\n#include <vector>\n\n")
string(APPEND body "namespace gridbatch::store {\n\nextern const std::vector<std::string_view> kMigrations = {\n")
foreach(input IN LISTS INPUTS)
  file(READ ${input} text)
  string(APPEND body "R\"gbsql(${text})gbsql\",\n")
endforeach()
string(APPEND body "};\n\n}  // namespace gridbatch::store\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
