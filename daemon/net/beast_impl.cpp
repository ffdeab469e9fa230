// net/beast_impl: the one translation unit that compiles Asio and Beast
// (BOOST_ASIO_SEPARATE_COMPILATION, BOOST_BEAST_SEPARATE_COMPILATION), so
// every other file that includes them only instantiates what it uses.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
