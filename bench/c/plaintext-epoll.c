/*
 * A reference plaintext server in C: one thread, one epoll loop, the floor under which no JVM
 * server can go on this machine. GET /plaintext (any request, in fact: it parses no more than
 * where a request ends) answers "Hello, World!" as text/plain with Server, Date (cached per
 * second) and Content-Length, as PlaintextServerMain's servers do; keep-alive and pipelining,
 * every response to one read's requests in one write. No request bodies (none in the benchmark).
 *
 *   cc -O2 -o plaintext-epoll bench/c/plaintext-epoll.c
 *   taskset -c 0 ./plaintext-epoll --host 127.0.0.1 --port 8080
 *
 * Prints "READY c-epoll <port> <pid>" once listening; SIGTERM or SIGINT stops it. bench/run http
 * builds and starts it as the impl "c-epoll".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IN_CAP 65536
#define OUT_CAP (256 * 1024)
#define MAX_FDS 65536

struct conn {
  char in[IN_CAP];
  size_t in_len;
  char *out; /* responses not yet written (the peer's window was full) */
  size_t out_len, out_off;
};

static struct conn *conns[MAX_FDS];
static char response[256];
static size_t response_len;
static time_t response_second = -1;

/* The whole response with the Date of this second; rebuilt once a second. */
static void refresh_response(void) {
  time_t now = time(NULL);
  if (now == response_second) return;
  response_second = now;
  struct tm tm;
  gmtime_r(&now, &tm);
  char date[64];
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  response_len = (size_t)snprintf(response, sizeof response,
                                  "HTTP/1.1 200 OK\r\nServer: C\r\nDate: %s\r\n"
                                  "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\n"
                                  "Hello, World!",
                                  date);
}

static void close_conn(int epfd, int fd) {
  epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
  close(fd);
  if (conns[fd]) {
    free(conns[fd]->out);
    free(conns[fd]);
    conns[fd] = NULL;
  }
}

/* Writes what is pending; returns -1 on error, 0 when all is written, 1 when some is left. */
static int flush_out(int fd, struct conn *c) {
  while (c->out_off < c->out_len) {
    ssize_t n = write(fd, c->out + c->out_off, c->out_len - c->out_off);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : -1;
    c->out_off += (size_t)n;
  }
  c->out_len = c->out_off = 0;
  return 0;
}

static void on_readable(int epfd, int fd) {
  struct conn *c = conns[fd];
  for (;;) {
    ssize_t n = read(fd, c->in + c->in_len, IN_CAP - c->in_len);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      close_conn(epfd, fd);
      return;
    }
    if (n < 0) return;
    c->in_len += (size_t)n;
    /* Count the complete requests (each ends with an empty line) and answer them at once. */
    char batch[OUT_CAP];
    size_t batch_len = 0, consumed = 0;
    refresh_response();
    for (;;) {
      char *end = memmem(c->in + consumed, c->in_len - consumed, "\r\n\r\n", 4);
      if (end == NULL || batch_len + response_len > sizeof batch) break;
      consumed = (size_t)(end - c->in) + 4;
      memcpy(batch + batch_len, response, response_len);
      batch_len += response_len;
    }
    memmove(c->in, c->in + consumed, c->in_len - consumed);
    c->in_len -= consumed;
    if (c->in_len == IN_CAP) { /* a request larger than the buffer: not ours to serve */
      close_conn(epfd, fd);
      return;
    }
    if (batch_len == 0) continue;
    size_t written = 0;
    if (c->out_len == 0) {
      ssize_t w = write(fd, batch, batch_len);
      if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        close_conn(epfd, fd);
        return;
      }
      written = w < 0 ? 0 : (size_t)w;
    }
    if (written < batch_len) { /* keep the rest and wait until the socket is writable */
      c->out = realloc(c->out, c->out_len + batch_len - written);
      memcpy(c->out + c->out_len, batch + written, batch_len - written);
      c->out_len += batch_len - written;
      struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
      epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev);
    }
    if ((size_t)n < IN_CAP) return; /* level-triggered: epoll says when there is more */
  }
}

int main(int argc, char **argv) {
  const char *host = "127.0.0.1";
  int port = 8080;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--host") == 0) host = argv[i + 1];
    else if (strcmp(argv[i], "--port") == 0) port = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--impl") == 0 || strcmp(argv[i], "--loops") == 0) continue;
    else {
      fprintf(stderr, "plaintext-epoll: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
    fprintf(stderr, "plaintext-epoll: not an IPv4 address: %s\n", host);
    return 2;
  }
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(lfd, 1024) < 0) {
    perror("plaintext-epoll: bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(lfd, (struct sockaddr *)&addr, &len);
  int epfd = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd};
  epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
  printf("READY c-epoll %d %d\n", ntohs(addr.sin_port), (int)getpid());
  fflush(stdout);

  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epfd, events, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      perror("plaintext-epoll: epoll_wait");
      return 1;
    }
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == lfd) {
        int cfd;
        while ((cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          if (cfd >= MAX_FDS) {
            close(cfd);
            continue;
          }
          setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          conns[cfd] = calloc(1, sizeof(struct conn));
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = cfd};
          epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &cev);
        }
        continue;
      }
      if (conns[fd] == NULL) continue;
      if (events[i].events & EPOLLOUT) {
        int r = flush_out(fd, conns[fd]);
        if (r < 0) {
          close_conn(epfd, fd);
          continue;
        }
        if (r == 0) {
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = fd};
          epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &cev);
        }
      }
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(epfd, fd);
    }
  }
}
