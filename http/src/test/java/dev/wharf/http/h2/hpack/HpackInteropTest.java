package dev.wharf.http.h2.hpack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.testkit.ExternalProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Interoperability: the hpack-test-case corpus (test resources, see its README) decoded block by
 * block with one decoder per story, and the corpus's raw header lists encoded by us and decoded by
 * Python's {@code hpack} (Debian's python3-hpack), and encoded by it and decoded by us.
 */
class HpackInteropTest {
  /** Stories whose blocks other implementations encoded (RFC 7541 era). */
  private static final List<String> ENCODED_STORIES =
      List.of("haskell-http2-linear-huffman/story_31.json", "haskell-http2-linear/story_22.json");

  private static final List<String> RAW_STORIES =
      List.of(
          "raw-data/story_00.json",
          "raw-data/story_02.json",
          "raw-data/story_04.json",
          "raw-data/story_22.json",
          "raw-data/story_31.json");

  private static final String PEER =
      """
      import json, sys
      import hpack

      request = json.load(open(sys.argv[1]))
      answer = []
      for story in request["stories"]:
          if request["mode"] == "decode":
              decoder = hpack.Decoder()
              answer.append([[[n.decode("latin-1"), v.decode("latin-1")]
                              for n, v in decoder.decode(bytes.fromhex(block), raw=True)]
                             for block in story])
          else:
              encoder = hpack.Encoder()
              answer.append([encoder.encode([(n.encode("latin-1"), v.encode("latin-1"))
                                             for n, v in fields]).hex()
                             for fields in story])
      json.dump(answer, sys.stdout)
      """;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(BlockForm.class)
  void everyEncodedStoryDecodesToItsHeaderLists(BlockForm form) {
    for (String path : ENCODED_STORIES) {
      Story story = Story.load(path);
      var decoder = new HpackDecoder(4096, Long.MAX_VALUE);
      for (int i = 0; i < story.cases().size(); i++) {
        Story.Case c = story.cases().get(i);
        if (c.headerTableSize() >= 0) {
          decoder.setMaxTableSize(c.headerTableSize());
        }
        var sink = new RecordingSink();
        decoder.decode(form.of(c.wire()), sink);
        assertThat(sink.fields).as("%s case %d", path, i).isEqualTo(c.headers());
      }
    }
  }

  @Test
  void rawStoriesRoundTripThroughOurEncoderAndDecoder() {
    for (String path : RAW_STORIES) {
      Story story = Story.load(path);
      var encoder = new HpackEncoder(4096);
      var decoder = new HpackDecoder(4096, Long.MAX_VALUE);
      long raw = 0;
      long encoded = 0;
      for (Story.Case c : story.cases()) {
        byte[] block = encoder.encode(c.headers());
        assertThat(HpackEncoderTest.decode(decoder, block)).as(path).isEqualTo(c.headers());
        raw += c.headers().stream().mapToLong(f -> f.name().length() + f.value().length()).sum();
        encoded += block.length;
      }
      assertThat(encoded).as("%s: %d octets of names and values", path, raw).isLessThan(raw / 2);
    }
  }

  @Test
  void pythonHpackDecodesWhatWeEncode() throws IOException {
    var lists = rawLists();
    var blocks = new ArrayList<List<String>>();
    for (int s = 0; s < lists.size(); s++) {
      // Every other story with a small table of ours and a peer limit that changes midway, so the
      // peer sees size updates too.
      var encoder = new HpackEncoder(s % 2 == 0 ? 4096 : 256);
      var story = new ArrayList<String>();
      for (int i = 0; i < lists.get(s).size(); i++) {
        if (s % 2 == 1 && i == lists.get(s).size() / 2) {
          encoder.setPeerMaxTableSize(100);
        }
        story.add(Hex.encode(encoder.encode(lists.get(s).get(i))));
      }
      blocks.add(story);
    }
    Object answer = python("decode", toJson(blocks));
    assertThat(headerLists(answer)).isEqualTo(lists);
  }

  @Test
  void weDecodeWhatPythonHpackEncodes() throws IOException {
    var lists = rawLists();
    var stories = (List<?>) python("encode", toJson(lists));
    assertThat(stories).hasSize(lists.size());
    for (int s = 0; s < lists.size(); s++) {
      var decoder = new HpackDecoder(4096, Long.MAX_VALUE);
      var blocks = (List<?>) stories.get(s);
      for (int i = 0; i < blocks.size(); i++) {
        byte[] block = Hex.decode((String) blocks.get(i));
        assertThat(HpackEncoderTest.decode(decoder, block))
            .as("%s case %d", RAW_STORIES.get(s), i)
            .isEqualTo(lists.get(s).get(i));
      }
    }
  }

  /** Each raw story's header lists. */
  private static List<List<List<HeaderField>>> rawLists() {
    var lists = new ArrayList<List<List<HeaderField>>>();
    for (String path : RAW_STORIES) {
      lists.add(Story.load(path).cases().stream().map(Story.Case::headers).toList());
    }
    return lists;
  }

  /** Runs the Python peer on a request; its parsed JSON answer. */
  private Object python(String mode, String stories) throws IOException {
    Path script = Files.writeString(dir.resolve("peer.py"), PEER);
    Path request =
        Files.writeString(
            dir.resolve("request.json"),
            "{\"mode\": \"" + mode + "\", \"stories\": " + stories + "}");
    var result =
        ExternalProcess.run(
            Duration.ofSeconds(60), "/usr/bin/python3", script.toString(), request.toString());
    assertThat(result.exit()).as("python3 peer: %s", result.err()).isZero();
    return MiniJson.parse(result.out());
  }

  /** Python's answer as header lists: stories of blocks of [name, value] pairs. */
  private static List<List<List<HeaderField>>> headerLists(Object answer) {
    var stories = new ArrayList<List<List<HeaderField>>>();
    for (Object story : (List<?>) answer) {
      var blocks = new ArrayList<List<HeaderField>>();
      for (Object block : (List<?>) story) {
        var fields = new ArrayList<HeaderField>();
        for (Object pair : (List<?>) block) {
          var p = (List<?>) pair;
          fields.add(new HeaderField((String) p.get(0), (String) p.get(1)));
        }
        blocks.add(fields);
      }
      stories.add(blocks);
    }
    return stories;
  }

  /** Stories of blocks (hex strings), or stories of header lists, as JSON. */
  private static String toJson(List<?> value) {
    var json = new StringBuilder();
    write(value, json);
    return json.toString();
  }

  private static void write(Object value, StringBuilder json) {
    switch (value) {
      case List<?> list -> {
        json.append('[');
        for (int i = 0; i < list.size(); i++) {
          json.append(i == 0 ? "" : ",");
          write(list.get(i), json);
        }
        json.append(']');
      }
      case HeaderField field -> write(List.of(field.name(), field.value()), json);
      case String s -> {
        json.append('"');
        for (char c : s.toCharArray()) {
          if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) {
            json.append(String.format("\\u%04x", (int) c));
          } else {
            json.append(c);
          }
        }
        json.append('"');
      }
      default -> throw new IllegalArgumentException("not JSON here: " + value);
    }
  }
}
