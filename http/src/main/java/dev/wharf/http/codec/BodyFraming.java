package dev.wharf.http.codec;

import dev.wharf.http.Headers;
import dev.wharf.http.fields.FieldValues;
import java.util.List;

/**
 * How a request's body is delimited (RFC 9112 §6.3), decided once from its headers, refusing every
 * combination that two parsers could read two ways.
 */
record BodyFraming(Kind kind, long length) {
  enum Kind {
    NONE,
    FIXED,
    CHUNKED
  }

  /** No body: what a request without Content-Length or Transfer-Encoding has. */
  static final BodyFraming NONE = new BodyFraming(Kind.NONE, 0);

  private static final BodyFraming CHUNKED = new BodyFraming(Kind.CHUNKED, -1);

  static BodyFraming of(Headers headers, String version, long maxBody) {
    if (!headers.contains("Transfer-Encoding") && !headers.contains("Content-Length")) {
      return NONE; // Most requests: no lists to build.
    }
    List<String> codings = headers.all("Transfer-Encoding");
    List<String> lengths = headers.all("Content-Length");
    if (!codings.isEmpty()) {
      // RFC 9112 §6.3: both present is a smuggling attempt; reject rather than guess.
      if (!lengths.isEmpty()) {
        throw MessageParseException.malformed("both Content-Length and Transfer-Encoding");
      }
      if (version.equals("HTTP/1.0")) {
        throw MessageParseException.malformed("Transfer-Encoding in an HTTP/1.0 request");
      }
      return chunkedOrFail(codings);
    }
    if (lengths.isEmpty()) {
      return NONE;
    }
    long length = -1;
    for (String field : lengths) {
      for (String part : FieldValues.listKeepingEmpty(field)) {
        long value = parseLength(part);
        // RFC 9110 §8.6: repeated identical values may be taken as one; differing ones never.
        if (length >= 0 && value != length) {
          throw MessageParseException.malformed("differing Content-Length values");
        }
        length = value;
      }
    }
    if (length > maxBody) {
      throw new MessageParseException(
          MessageParseException.Kind.BODY_TOO_LARGE,
          "body of " + length + " bytes exceeds " + maxBody);
    }
    return new BodyFraming(Kind.FIXED, length);
  }

  private static BodyFraming chunkedOrFail(List<String> fields) {
    String last = null;
    int count = 0;
    for (String field : fields) {
      for (String coding : FieldValues.listKeepingEmpty(field)) {
        if (coding.isEmpty()) {
          throw MessageParseException.malformed("empty transfer coding");
        }
        if (last != null && last.equalsIgnoreCase("chunked")) {
          throw MessageParseException.malformed("chunked must be the final transfer coding");
        }
        last = coding;
        count++;
      }
    }
    if (!"chunked".equalsIgnoreCase(last)) {
      throw MessageParseException.malformed("the final transfer coding must be chunked");
    }
    if (count > 1) {
      // RFC 9112 §6.1: a coding we do not implement gets 501.
      throw new MessageParseException(
          MessageParseException.Kind.UNSUPPORTED_TRANSFER_CODING,
          "transfer codings other than chunked are not implemented");
    }
    return CHUNKED;
  }

  private static long parseLength(String text) {
    if (text.isEmpty() || text.length() > 18) {
      throw MessageParseException.malformed("malformed Content-Length");
    }
    long value = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        throw MessageParseException.malformed("malformed Content-Length");
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
