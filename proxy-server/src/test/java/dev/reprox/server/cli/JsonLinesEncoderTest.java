package dev.reprox.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

class JsonLinesEncoderTest {
  private final LoggerContext context = new LoggerContext();

  @Test
  void encode_messageWithLineBreaksAndKeyValues_oneJsonObjectOnOneLine() throws Exception {
    LoggingEvent event = new LoggingEvent("fqcn", context.getLogger("reprox.access"), Level.WARN,
        "first\nforged line \u001b[31m", new IllegalStateException("boom"), null);
    event.setTimeStamp(1_733_456_789_123L);
    event.setKeyValuePairs(List.of(new KeyValuePair("status", 404L), new KeyValuePair("repo", "fix"),
        new KeyValuePair("level", "shadowed")));
    JsonLinesEncoder encoder = new JsonLinesEncoder();
    encoder.setContext(context);
    encoder.start();

    String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

    assertThat(line).endsWith("\n");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n").doesNotContain("\u001b");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.path("time").asText()).isEqualTo("2024-12-06T03:46:29.123Z");
    assertThat(json.path("level").asText()).isEqualTo("WARN"); // a key-value cannot override a fixed field
    assertThat(json.path("logger").asText()).isEqualTo("reprox.access");
    assertThat(json.path("message").asText()).isEqualTo("first\nforged line \u001b[31m");
    assertThat(json.path("status").isNumber()).isTrue();
    assertThat(json.path("status").asLong()).isEqualTo(404);
    assertThat(json.path("repo").asText()).isEqualTo("fix");
    assertThat(json.path("exception").asText()).contains("IllegalStateException: boom");
  }
}
