package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code reprox prewarm}'s summary: every outcome counted, the problem lines bounded. */
class PrewarmSummaryTest {
  @Test
  void manyFailures_countedAll_listedOnlyTheFirstHundred() {
    PrewarmSummary summary = new PrewarmSummary();
    for (int i = 0; i < 3; i++) {
      summary.count(PrewarmSummary.Row.STORED, "lock.json:" + i + ": fix/pool/s" + i + ".deb", "");
    }
    for (int i = 0; i < 250; i++) {
      summary.count(PrewarmSummary.Row.NOT_FOUND, String.format("lock.json:%03d: fix/pool/m%03d.deb", i + 10, i),
          "no listing names it");
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    boolean complete = summary.print(new PrintWriter(out, true), new PrintWriter(err, true), 253);

    assertThat(complete).isFalse();
    assertThat(out.toString()).containsPattern("stored +3\\n").containsPattern("not found at T +250\\n")
        .containsPattern("total +253\\n");
    assertThat(err.toString().lines().filter(l -> l.contains(": not found at T: no listing names it")))
        .hasSize(PrewarmSummary.MAX_PROBLEMS);
    assertThat(err.toString()).contains("lock.json:010: fix/pool/m000.deb: not found at T: no listing names it")
        .contains("prewarm: 150 more entries not made present (only the first 100 are listed; the table counts"
            + " them all)");
  }

  @Test
  void onlyStoredAndPresent_isComplete_listsNothing() {
    PrewarmSummary summary = new PrewarmSummary();
    summary.count(PrewarmSummary.Row.STORED, "a", "");
    summary.count(PrewarmSummary.Row.PRESENT, "b", "");
    StringWriter err = new StringWriter();

    assertThat(summary.print(new PrintWriter(new StringWriter()), new PrintWriter(err, true), 2)).isTrue();
    assertThat(err.toString()).isEmpty();
  }
}
