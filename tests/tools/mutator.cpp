// A test helper for the crash test: makes up to N changes to a plan through the
// store, printing "done COMMIT" after each one it has committed, until killed.
#include "store/store.hpp"

#include <unistd.h>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  using namespace lorsync;
  if (argc != 3) {
    std::fprintf(stderr, "usage: lorsync_test_mutator PLAN COUNT\n");
    return 2;
  }
  auto store = Store::open(argv[1], StoreOptions{"crash-test", std::chrono::milliseconds(10000)});
  if (!store) {
    std::fprintf(stderr, "%s\n", store.error().message.c_str());
    return 1;
  }
  const int count = std::stoi(argv[2]);
  const Date day = *parse_date("2026-08-20");
  // Ids unique to this run: a killed run may have left its last program behind.
  const std::string prefix = "p-" + std::to_string(getpid()) + "-";
  for (int i = 0; i < count; ++i) {
    Result<CommitResult> result = [&]() -> Result<CommitResult> {
      switch (i % 4) {
        case 0: return store->record("brennan-neurology", LetterEvent{day, "reminded", "email", "n" + std::to_string(i)});
        case 1:
          return store->update(DocumentRef{DocumentKind::letter, "whitfield-inpatient"},
                               {FieldEdit{FieldEdit::Op::set, {"eras_letter_id"}, "E-" + std::to_string(i)}});
        case 2:
          return store->create(EntityKind::program, prefix + std::to_string(i),
                               {FieldEdit{FieldEdit::Op::set, {"name"}, "Program " + std::to_string(i)}});
        default: return store->remove(EntityKind::program, prefix + std::to_string(i - 1));
      }
    }();
    if (!result) {
      std::fprintf(stderr, "change %d failed: %s\n", i, result.error().message.c_str());
      return 1;
    }
    std::printf("done %s\n", result->commit.c_str());
    std::fflush(stdout);
  }
  return 0;
}
