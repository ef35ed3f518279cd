#pragma once
/// The client end of a loopback WebSocket in the net specs: reads the server's frames and writes
/// masked client frames, blocking.

#include "protocol/ws_frame.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::tests {

namespace asio = boost::asio;
using asio::ip::tcp;

struct server_frame {
  std::uint8_t opcode;
  std::string payload;
};

/// Reads one unmasked server frame (blocking).
inline server_frame read_frame(tcp::socket& s) {
  std::uint8_t head[2];
  asio::read(s, asio::buffer(head));
  std::uint64_t len = head[1] & 0x7F;
  if (len >= 126) {
    std::uint8_t ext[8];
    const std::size_t n = len == 126 ? 2 : 8;
    asio::read(s, asio::buffer(ext, n));
    len = 0;
    for (std::size_t i = 0; i < n; ++i)
      len = (len << 8) | ext[i];
  }
  server_frame f{static_cast<std::uint8_t>(head[0] & 0x0F), std::string(len, '\0')};
  asio::read(s, asio::buffer(f.payload));
  return f;
}

/// Writes one masked client frame (payload < 126 bytes).
inline void write_client_frame(tcp::socket& s, protocol::ws_opcode op, std::string_view payload) {
  const std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  std::string out;
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(op)));
  out.push_back(static_cast<char>(0x80 | payload.size()));
  out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  asio::write(s, asio::buffer(out));
}

} // namespace switchboard::tests
