package dev.wharf.dns.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decodes one whole DNS message (a UDP datagram's payload, or one TCP frame's) into a {@link
 * Message}. Anything malformed is a {@link DnsFormatException} with the reason and offset; no other
 * exception escapes for any input.
 *
 * <p>Stateless; any thread.
 */
public final class DnsMessageReader {
  private static final int HEADER_SIZE = 12;

  private DnsMessageReader() {}

  /** Decodes the buffer's remaining octets, consuming them. */
  public static Message read(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return read(bytes);
  }

  public static Message read(byte[] message) {
    if (message.length < HEADER_SIZE) {
      throw new DnsFormatException(
          "a message has a 12-octet header; this one has " + message.length + " octets", 0);
    }
    var in = new WireReader(message);
    var header = new Header(in.u16("the header"), in.u16("the header"));
    int questionCount = in.u16("the header");
    int answerCount = in.u16("the header");
    int authorityCount = in.u16("the header");
    int additionalCount = in.u16("the header");
    var questions = new ArrayList<Question>(Math.min(questionCount, 16));
    for (int i = 0; i < questionCount; i++) {
      DnsName name = in.name("question " + (i + 1) + "'s name");
      questions.add(new Question(name, in.u16("a question"), in.u16("a question")));
    }
    List<ResourceRecord> answers = records(in, answerCount, "answer");
    List<ResourceRecord> authority = records(in, authorityCount, "authority");
    List<ResourceRecord> additional = records(in, additionalCount, "additional");
    if (in.remaining() > 0) {
      throw new DnsFormatException(
          in.remaining() + " octets follow the last record the header counts", in.position());
    }
    checkOpt(answers, authority, additional);
    return new Message(header, questions, answers, authority, additional);
  }

  private static List<ResourceRecord> records(WireReader in, int count, String section) {
    // Each record takes at least 11 octets: a count the message cannot hold fails on reading.
    var records = new ArrayList<ResourceRecord>(Math.min(count, 64));
    for (int i = 0; i < count; i++) {
      records.add(record(in, section + " record " + (i + 1)));
    }
    return records;
  }

  private static ResourceRecord record(WireReader in, String what) {
    DnsName name = in.name(what + "'s name");
    int type = in.u16(what);
    int dnsClass = in.u16(what);
    long ttl = in.u32(what);
    int length = in.u16(what);
    int start = in.position();
    if (length > in.remaining()) {
      throw new DnsFormatException(
          what + " announces " + length + " octets of data; " + in.remaining() + " remain", start);
    }
    int messageEnd = in.limit();
    in.limit(start + length);
    RData data = RDataReader.read(in, type, what + " (" + RecordType.name(type) + ")");
    if (in.remaining() != 0) {
      throw new DnsFormatException(
          what
              + " ("
              + RecordType.name(type)
              + ") announces "
              + length
              + " octets of data but its fields take "
              + (in.position() - start),
          start);
    }
    in.limit(messageEnd);
    return new ResourceRecord(name, type, dnsClass, ttl, data);
  }

  /** RFC 6891 §6.1.1: at most one OPT record, in the additional section, owned by the root. */
  private static void checkOpt(
      List<ResourceRecord> answers,
      List<ResourceRecord> authority,
      List<ResourceRecord> additional) {
    for (ResourceRecord r : answers) {
      if (r.type() == RecordType.OPT) {
        throw new DnsFormatException("an OPT record in the answer section", 0);
      }
    }
    for (ResourceRecord r : authority) {
      if (r.type() == RecordType.OPT) {
        throw new DnsFormatException("an OPT record in the authority section", 0);
      }
    }
    int opts = 0;
    for (ResourceRecord r : additional) {
      if (r.type() == RecordType.OPT) {
        if (++opts > 1) {
          throw new DnsFormatException("more than one OPT record", 0);
        }
        if (!r.name().isRoot()) {
          throw new DnsFormatException(
              "the OPT record's owner is " + r.name() + ", not the root", 0);
        }
      }
    }
  }

  static byte[] copy(byte[] bytes, int from, int to) {
    return Arrays.copyOfRange(bytes, from, to);
  }
}
