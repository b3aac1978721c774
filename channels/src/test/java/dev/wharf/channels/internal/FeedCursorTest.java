package dev.wharf.channels.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wharf.channels.Broker;
import dev.wharf.channels.History;
import dev.wharf.channels.Publication;
import dev.wharf.channels.StreamPosition;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a broker's feed hands its node: each publication once, gaps filled, a lost history said. */
class FeedCursorTest {
  private final List<String> told = new ArrayList<>();
  private final FeedCursor cursor =
      new FeedCursor(
          "news",
          new Broker.Listener() {
            @Override
            public void publication(Publication p) {
              told.add(p.epoch() + "/" + p.offset());
            }

            @Override
            public void lost(String channel) {
              told.add("lost " + channel);
            }
          });

  private static Publication p(String epoch, long offset) {
    return new Publication("news", epoch, offset, "{}");
  }

  private static History history(String epoch, long top, Publication... publications) {
    return new History(new StreamPosition(epoch, top), 1, List.of(publications));
  }

  @Test
  void aPublicationThatCameBothWaysIsHandedOnOnce() {
    cursor.startAt(new StreamPosition("e", 4));
    cursor.deliver(p("e", 4));
    cursor.deliver(p("e", 5));
    cursor.deliver(p("e", 5));
    assertThat(told).containsExactly("e/5");
    assertThat(cursor.last()).isEqualTo(5);
  }

  @Test
  void aGapIsFilledFromTheHistoryBeforeThePublicationThatShowedIt() {
    cursor.startAt(new StreamPosition("e", 1));
    Publication live = p("e", 4);
    assertThat(cursor.hasGapBefore(live)).isTrue();
    cursor.fill(history("e", 5, p("e", 2), p("e", 3), p("e", 4), p("e", 5)), live.offset());
    cursor.deliver(live);
    assertThat(told).containsExactly("e/2", "e/3", "e/4");
    assertThat(cursor.hasGapBefore(p("e", 5))).isFalse();
  }

  @Test
  void anotherEpochIsNoGapToFillButIsPassedOnForTheSessionsToNotice() {
    cursor.startAt(new StreamPosition("e", 1));
    assertThat(cursor.hasGapBefore(p("f", 7))).isFalse();
    cursor.deliver(p("f", 7));
    assertThat(told).containsExactly("f/7");
  }

  @Test
  void catchingUpDeliversWhatTheBrokerKeptOrSaysTheHistoryWasLost() {
    cursor.startAt(new StreamPosition("e", 2));
    assertThat(cursor.catchUp(history("e", 4, p("e", 3), p("e", 4)))).isTrue();
    assertThat(cursor.catchUp(history("f", 9))).isFalse();
    assertThat(told).containsExactly("e/3", "e/4", "lost news");
    cursor.deliver(p("f", 9)); // already where the new epoch's top was
    cursor.deliver(p("f", 10));
    assertThat(told).endsWith("f/10");
    assertThat(told).doesNotContain("f/9");
  }

  @Test
  void aCursorIsUnpositionedUntilStartedOrDelivered() {
    assertThat(cursor.isPositioned()).isFalse();
    cursor.deliver(p("e", 1));
    assertThat(cursor.isPositioned()).isTrue();
  }
}
