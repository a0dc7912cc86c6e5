// A C++ library that leaks through operator new[], for the tests: its frames are demangled C++ names.
#include <cstddef>

namespace leaky_cpp {
struct Cache {
    __attribute__((noinline)) char *keep(std::size_t size);
};

char *Cache::keep(std::size_t size) {
    char *block = new char[size];
    block[0] = 1;
    return block;
}
}  // namespace leaky_cpp

extern "C" void leak_cpp(int count, std::size_t size) {
    leaky_cpp::Cache cache;
    for (int i = 0; i < count; i++) cache.keep(size);
}
