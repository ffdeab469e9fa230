// common/limits: bounds that every parser, walker and emitter of plan data and
// messages share, so that no input can drive recursion past a fixed depth.
#pragma once

#include <cstddef>

namespace lorsync {

// How deeply values may nest (lists in mappings in lists ...), in a plan file or an API message. A real plan
// nests four or five levels; the bound keeps every recursive walk of a value far from the stack's end.
inline constexpr size_t kMaxNesting = 64;

}  // namespace lorsync
