package dev.reprox.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Who may use the HTTP API ({@code api:}): the bearer token that admin (state-changing) actions
 * require, and the optional token that read endpoints then require too. No admin token means admin
 * actions are refused; no read token means reads are open.
 *
 * @param adminToken {@code api.admin-token} or the content of {@code api.admin-token-file}
 * @param readToken {@code api.read-token} or the content of {@code api.read-token-file}
 */
public record ApiConfig(Optional<Token> adminToken, Optional<Token> readToken) {
  /** Neither token: admin actions disabled, reads open. */
  public static final ApiConfig NONE = new ApiConfig(Optional.empty(), Optional.empty());

  /**
   * For the startup lines: {@code admin API disabled (no token), read API open} and the like, so an
   * operator sees from the log whether admin actions can be used and whether reads are closed.
   */
  public String describe() {
    return (adminToken.isPresent() ? "admin API enabled (bearer token)" : "admin API disabled (no token)")
        + ", " + (readToken.isPresent() ? "read API needs a token" : "read API open");
  }

  /**
   * A secret and where it came from. {@link #toString()} never shows the value: a record's default
   * one would, and configurations end up in log lines and assertion messages.
   *
   * @param file the file it was read from, or empty when it was given as a value
   */
  public record Token(String value, Optional<Path> file) {
    @Override
    public String toString() {
      return file.map(f -> "Token[file=" + f + "]").orElse("Token[***]");
    }
  }
}
