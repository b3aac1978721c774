package dev.wharf.http.client;

import dev.wharf.core.tls.TlsSession;
import dev.wharf.http.Headers;
import dev.wharf.http.ResponseHead;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;

/**
 * A {@link ResponseListener} that passes every event on to another (Okio's {@code Forwarding*}
 * types): a subclass overrides only the events it changes, and none is dropped by omission. Called
 * on the thread that calls it, as its target.
 */
abstract class ForwardingResponseListener implements ResponseListener {
  protected final ResponseListener target;

  ForwardingResponseListener(ResponseListener target) {
    this.target = target;
  }

  @Override
  public void connected(SocketAddress local, SocketAddress remote, boolean reused) {
    target.connected(local, remote, reused);
  }

  @Override
  public void tlsEstablished(TlsSession session) {
    target.tlsEstablished(session);
  }

  @Override
  public void streamOpened(String version, int streamId) {
    target.streamOpened(version, streamId);
  }

  @Override
  public void requestHead(ByteBuffer head) {
    target.requestHead(head);
  }

  @Override
  public void redirected(URI from, URI to, int status) {
    target.redirected(from, to, status);
  }

  @Override
  public void head(ResponseHead head) {
    target.head(head);
  }

  @Override
  public void body(ByteBuffer chunk) {
    target.body(chunk);
  }

  @Override
  public void trailers(Headers trailers) {
    target.trailers(trailers);
  }

  @Override
  public void complete(ExchangeTimings timings) {
    target.complete(timings);
  }

  @Override
  public void failed(Throwable error) {
    target.failed(error);
  }
}
