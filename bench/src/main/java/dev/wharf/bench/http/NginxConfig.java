package dev.wharf.bench.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An nginx configuration for the benchmark, written into its own prefix directory: in the
 * foreground, one worker, no access log, effectively unlimited keep-alive requests, sendfile on, an
 * open file cache (descriptors, sizes and times kept, as {@code wharf serve} keeps them), {@code
 * /plaintext} answered from the config and every other path from the static directory.
 */
final class NginxConfig {
  private NginxConfig() {}

  /** Writes {@code prefix/nginx.conf} and returns its path. */
  static Path write(Path prefix, int port, Path staticDir) throws IOException {
    Files.createDirectories(prefix.resolve("tmp"));
    String p = prefix.toAbsolutePath().toString();
    String conf =
        """
        daemon off;
        master_process on;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events {
          worker_connections 4096;
        }
        http {
          access_log off;
          client_body_temp_path %1$s/tmp/body;
          proxy_temp_path %1$s/tmp/proxy;
          fastcgi_temp_path %1$s/tmp/fastcgi;
          uwsgi_temp_path %1$s/tmp/uwsgi;
          scgi_temp_path %1$s/tmp/scgi;
          sendfile on;
          open_file_cache max=1000 inactive=20s;
          tcp_nodelay on;
          keepalive_requests 1000000000;
          keepalive_timeout 300s;
          types {
            text/html html;
            text/plain txt;
            application/octet-stream bin;
          }
          default_type application/octet-stream;
          server {
            listen 127.0.0.1:%2$d backlog=1024;
            root %3$s;
            location /plaintext {
              default_type text/plain;
              return 200 "Hello, World!";
            }
          }
        }
        """
            .formatted(p, port, staticDir.toAbsolutePath());
    Path file = prefix.resolve("nginx.conf");
    Files.writeString(file, conf, StandardCharsets.UTF_8);
    return file;
  }
}
