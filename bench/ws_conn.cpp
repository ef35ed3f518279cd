#include "bench/ws_conn.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>

namespace switchboard::bench {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::uint32_t seed_counter = 0x9e3779b9u;

close_info ended(std::string_view cause, error_code ec, bool was_open, int code = 0,
                 std::string_view detail = {}) {
  close_info info;
  info.cause = cause;
  info.ec = ec;
  info.was_open = was_open;
  info.code = code;
  info.detail = detail;
  return info;
}

std::uint64_t read_be(const unsigned char* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v = (v << 8) | p[i];
  return v;
}

} // namespace

ws_conn::ws_conn(asio::io_context& io, conn_handler& h, std::vector<char>& read_buffer)
    : sock_(io), handler_(h), rbuf_(read_buffer), mask_state_(seed_counter += 0x6d2b79f5u) {}

void ws_conn::start(const asio::ip::tcp::endpoint& server, const asio::ip::address* source,
                    const std::string& host, const std::string& target, int receive_buffer) {
  leftover_.clear();
  fragments_.clear();
  out_.clear();
  bytes_read_ = 0;
  paused_ = false;
  state_ = state::connecting;
  error_code ec;
  sock_.open(server.protocol(), ec);
  if (ec)
    return finish(ended("socket", ec, false, 0, {}));
  if (receive_buffer > 0)
    sock_.set_option(asio::socket_base::receive_buffer_size(receive_buffer), ec);
  if (source) {
    // Defer the port choice to connect(), so one source address serves many
    // destinations.
    const int one = 1;
    ::setsockopt(sock_.native_handle(), IPPROTO_IP, 24 /* IP_BIND_ADDRESS_NO_PORT */, &one,
                 sizeof one);
    sock_.bind({*source, 0}, ec);
    if (ec)
      return finish(ended("bind", ec, false, 0, {}));
  }
  out_ = "GET " + target + " HTTP/1.1\r\nHost: " + host +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: "
         "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  ++pending_;
  sock_.async_connect(server, [this](const error_code& e) {
    op_done();
    on_connect(e);
  });
}

void ws_conn::op_done() {
  --pending_;
}

void ws_conn::on_connect(const error_code& ec) {
  if (state_ == state::closed) {
    if (!pending_)
      handler_.on_released(*this);
    return;
  }
  if (ec)
    return finish(ended("connect", ec, false, 0, {}));
  error_code ignored;
  sock_.set_option(asio::ip::tcp::no_delay(true), ignored);
  sock_.non_blocking(true, ignored);
  state_ = state::upgrading;
  flush();
  arm_read();
}

void ws_conn::send_text(std::string_view text) {
  if (state_ != state::open)
    return;
  append_frame(0x1, text);
  if (!writing_)
    flush();
}

void ws_conn::send_close(std::uint16_t code) {
  if (state_ != state::open)
    return;
  const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  append_frame(0x8, std::string_view(body, 2));
  state_ = state::closing;
  if (!writing_)
    flush();
}

void ws_conn::append_frame(std::uint8_t opcode, std::string_view payload) {
  unsigned char header[14];
  std::size_t h = 0;
  header[h++] = static_cast<unsigned char>(0x80 | opcode);
  const std::size_t n = payload.size();
  if (n < 126) {
    header[h++] = static_cast<unsigned char>(0x80 | n);
  } else if (n < 65536) {
    header[h++] = 0x80 | 126;
    header[h++] = static_cast<unsigned char>(n >> 8);
    header[h++] = static_cast<unsigned char>(n & 0xff);
  } else {
    header[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; --i)
      header[h++] = static_cast<unsigned char>((std::uint64_t(n) >> (8 * i)) & 0xff);
  }
  // xorshift32: masks need not be secret here, only present (RFC 6455 §5.3).
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  unsigned char mask[4];
  std::memcpy(mask, &mask_state_, 4);
  std::memcpy(header + h, mask, 4);
  h += 4;
  out_.append(reinterpret_cast<const char*>(header), h);
  const std::size_t at = out_.size();
  out_.append(payload);
  char* p = out_.data() + at;
  for (std::size_t i = 0; i < n; ++i)
    p[i] = static_cast<char>(p[i] ^ mask[i & 3]);
}

void ws_conn::flush() {
  if (out_.empty() || writing_)
    return;
  writing_buf_.swap(out_);
  out_.clear();
  writing_ = true;
  ++pending_;
  asio::async_write(sock_, asio::buffer(writing_buf_), [this](const error_code& ec, std::size_t) {
    op_done();
    writing_ = false;
    if (state_ == state::closed) {
      if (!pending_)
        handler_.on_released(*this);
      return;
    }
    if (ec)
      return finish(ended("write", ec, true, 0, {}));
    flush();
  });
}

void ws_conn::resume_reading() {
  paused_ = false;
  arm_read();
}

void ws_conn::arm_read() {
  if (reading_ || paused_ || state_ == state::closed)
    return;
  reading_ = true;
  ++pending_;
  sock_.async_wait(asio::ip::tcp::socket::wait_read, [this](const error_code& ec) {
    op_done();
    reading_ = false;
    on_readable(ec);
  });
}

void ws_conn::on_readable(const error_code& ec) {
  if (state_ == state::closed) {
    if (!pending_)
      handler_.on_released(*this);
    return;
  }
  if (ec)
    return finish(ended("read", ec, state_ != state::upgrading, 0, {}));
  if (paused_)
    return;
  std::size_t have = leftover_.size();
  if (rbuf_.size() < have + 65536)
    rbuf_.resize(have + 65536);
  std::memcpy(rbuf_.data(), leftover_.data(), have);
  leftover_.clear();
  for (int round = 0; round < 4; ++round) {
    error_code rec;
    const std::size_t n =
      sock_.read_some(asio::buffer(rbuf_.data() + have, rbuf_.size() - have), rec);
    if (rec == asio::error::would_block)
      break;
    if (rec) {
      if (have)
        consume(rbuf_.data(), have);
      if (state_ == state::closed)
        return;
      return finish(
        ended(rec == asio::error::eof ? "eof" : "read", rec, state_ != state::upgrading, 0, {}));
    }
    bytes_read_ += n;
    const bool filled = have + n == rbuf_.size();
    have += n;
    const std::size_t used = consume(rbuf_.data(), have);
    if (state_ == state::closed)
      return;
    have -= used;
    if (have)
      std::memmove(rbuf_.data(), rbuf_.data() + used, have);
    if (!filled || paused_)
      break;
    if (rbuf_.size() < have + 65536)
      rbuf_.resize(have + 65536);
  }
  leftover_.assign(rbuf_.data(), have);
  arm_read();
}

std::size_t ws_conn::consume_upgrade(char* p, std::size_t n) {
  const void* end = memmem(p, n, "\r\n\r\n", 4);
  if (!end) {
    if (n > 16384)
      finish(ended("handshake", {}, false, 0, "response header too long"));
    return 0;
  }
  const std::size_t header_len = static_cast<std::size_t>(static_cast<const char*>(end) - p) + 4;
  const std::string_view head(p, header_len);
  const std::size_t eol = head.find("\r\n");
  const std::string_view status = head.substr(0, eol);
  if (status.size() < 12 || status.substr(9, 3) != "101") {
    finish(ended("handshake", {}, false, 0, status));
    return header_len;
  }
  state_ = state::open;
  handler_.on_open(*this);
  return header_len;
}

std::size_t ws_conn::consume(char* p, std::size_t n) {
  std::size_t used = 0;
  if (state_ == state::upgrading) {
    used = consume_upgrade(p, n);
    if (state_ != state::open && state_ != state::closing)
      return used;
  }
  while (n - used >= 2) {
    auto* b = reinterpret_cast<unsigned char*>(p + used);
    const std::size_t avail = n - used;
    const bool fin = b[0] & 0x80;
    const int opcode = b[0] & 0x0f;
    const bool masked = b[1] & 0x80;
    std::uint64_t len = b[1] & 0x7f;
    std::size_t header = 2;
    if (len == 126) {
      if (avail < 4)
        break;
      len = read_be(b + 2, 2);
      header = 4;
    } else if (len == 127) {
      if (avail < 10)
        break;
      len = read_be(b + 2, 8);
      header = 10;
    }
    if (masked)
      header += 4;
    if (avail < header + len)
      break;
    char* payload = p + used + header;
    if (masked)
      for (std::uint64_t i = 0; i < len; ++i)
        payload[i] = static_cast<char>(payload[i] ^ b[header - 4 + (i & 3)]);
    used += header + len;
    const std::string_view body(payload, len);
    switch (opcode) {
      case 0x1:
      case 0x2:
        if (fin && fragments_.empty())
          handler_.on_text(*this, body);
        else
          fragments_.assign(body);
        break;
      case 0x0:
        fragments_.append(body);
        if (fin) {
          handler_.on_text(*this, fragments_);
          fragments_.clear();
        }
        break;
      case 0x8: {
        const int code = len >= 2 ? static_cast<int>(read_be(b + header, 2)) : 1005;
        finish(ended("close", {}, true, code, {}));
        return used;
      }
      case 0x9:
        if (state_ == state::open) {
          append_frame(0xA, body);
          flush();
        }
        break;
      default: break;
    }
    if (state_ == state::closed)
      return used;
  }
  return used;
}

void ws_conn::abort(std::string_view cause) {
  if (state_ == state::closed || state_ == state::idle)
    return;
  finish(ended(cause, {}, state_ == state::open || state_ == state::closing, 0, {}));
}

void ws_conn::finish(close_info info) {
  if (state_ == state::closed)
    return;
  state_ = state::closed;
  error_code ignored;
  sock_.close(ignored);
  out_.clear();
  leftover_.clear();
  fragments_.clear();
  handler_.on_closed(*this, info);
  if (!pending_)
    handler_.on_released(*this);
}

} // namespace switchboard::bench
