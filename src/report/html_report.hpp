// The HTML report of `gridbatch report`: one self-contained page (Chart.js,
// script, style and data inline; a Content-Security-Policy that forbids
// every request) written to a std::ostream as the store streams the rows:
// Begin() writes the summary and the charts, AddRow() one results-table row,
// Finish() the rest. Every text from the database is escaped (html_escape.hpp).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "gridbatch/store/report_reader.hpp"

namespace gridbatch::report {

struct PageOptions {
  std::string database;   // the database file, shown in the header
  std::string selection;  // what the report covers, e.g. "batch capitals" or "all batches"
};

class HtmlReport {
 public:
  // Borrows `out` and `data`, which must outlive the report.
  HtmlReport(std::ostream& out, const store::ReportData& data, PageOptions options);

  void Begin();
  void AddRow(const store::ReportResultRow& row);
  // Completes the page. Throws nothing itself; the caller checks the stream.
  void Finish();

 private:
  void WriteHead();
  void WriteSummary();
  void WriteCharts();
  void WriteTableHead();
  void WriteScripts();

  std::ostream& out_;
  const store::ReportData& data_;
  PageOptions options_;
  bool many_batches_ = false;  // the table names each row's batch
  std::int64_t shown_ = 0;
  std::int64_t total_ = 0;
};

// "850 ms", "2.0 s", "14 min 5 s", "3 h 12 min": a duration for people.
std::string FormatDuration(double seconds);

}  // namespace gridbatch::report
