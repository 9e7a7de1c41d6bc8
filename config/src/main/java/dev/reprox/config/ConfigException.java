package dev.reprox.config;

import java.util.List;

/** The configuration is invalid; {@link #errors()} names each field path and what is wrong. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;
  private final List<String> errors;

  public ConfigException(List<String> errors) {
    super(String.join("\n", errors));
    this.errors = List.copyOf(errors);
  }

  /** Each error as {@code <field path>: <what is wrong>}. */
  public List<String> errors() {
    return errors;
  }
}
