package dev.wharf.http.h2.hpack;

import java.util.ArrayList;
import java.util.List;

/** A {@link HeaderSink} that keeps every field it is given, in order. */
final class RecordingSink implements HeaderSink {
  final List<HeaderField> fields = new ArrayList<>();

  @Override
  public void field(String name, String value) {
    fields.add(new HeaderField(name, value));
  }
}
