// The doctest main of every unit-test binary, with one addition: a run filtered to test cases
// (ctest runs each by name) fails when no test case matched. doctest_discover_tests cuts names
// at ';', and a fragment that matches nothing would otherwise pass without running anything.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace {

std::atomic<int> test_cases_seen{0};

struct seen_counter : doctest::IReporter {
  explicit seen_counter(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats&) override {}
  void test_case_start(const doctest::TestCaseData&) override { ++test_cases_seen; }
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {} // also every filtered-out one
};

REGISTER_LISTENER("seen_counter", 1, seen_counter);

bool filtered_by_test_case(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    for (const char* flag : {"-tc=", "--test-case=", "-tc", "--test-case"})
      if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0)
        return true;
  return false;
}

} // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit())
    return result;
  if (result == 0 && test_cases_seen == 0 && filtered_by_test_case(argc, argv)) {
    std::fputs("no test case matched the filter\n", stderr);
    return 1;
  }
  return result;
}
