// raw_client.h: test-only blocking client socket on 127.0.0.1 that sends and reads raw HTTP/1.1
// bytes, for tests that must control the wire (keep-alive, slow or idle clients, many open
// streams). Not thread-safe; every read waits at most 10 s.
#ifndef ROMANA_HTTP_SERVER_TESTING_RAW_CLIENT_H_
#define ROMANA_HTTP_SERVER_TESTING_RAW_CLIENT_H_

#include <string>

namespace romana::http_server::testing {

class RawClient {
 public:
  explicit RawClient(int port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& s);
  void Close();

  struct Answer {
    int status = -1;  // -1: the connection ended (or timed out) before a whole answer
    std::string head;
    std::string body;
  };
  // Reads one answer with a Content-Length body.
  Answer Read();
  // Reads one answer's head only (e.g. of a chunked stream); status -1 as above.
  Answer ReadHead();
  // Reads until `needle` has arrived (true) or the connection ends or 10 s pass (false).
  bool ReadUntil(const std::string& needle);
  // Reads everything until the server closes; false on timeout.
  bool ReadToEnd(std::string& out);
  // True when the server closed the connection (EOF or reset) within 10 s, having sent nothing.
  bool ClosedSilently();

 private:
  bool Fill();
  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

}  // namespace romana::http_server::testing

#endif  // ROMANA_HTTP_SERVER_TESTING_RAW_CLIENT_H_
