package dev.reprox.server.fetch;

import dev.reprox.config.RepositoryConfig;

/**
 * One path of one configured repository.
 *
 * @param repository the repository the first URL segment named
 * @param path the decoded, validated path below it (no leading slash, no dot segments)
 */
public record FetchRequest(RepositoryConfig repository, String path) {
  /** The key single flight coalesces on. */
  String key() {
    return repository.name() + '/' + path;
  }

  @Override
  public String toString() {
    return key();
  }
}
