package dev.reprox.server.upstream;

import java.time.Instant;
import java.util.Optional;

/**
 * One upstream host as the status page shows it: breaker state, requests holding a permit, and
 * the last attempt that succeeded and the last that failed. {@code lastError} is a short outcome
 * text such as {@code server_error: HTTP 503} or {@code connect_error: ConnectException}: never a
 * URL, so no credentials of a private mirror can show. {@code origin} is {@code scheme://host:port}
 * without user info.
 */
public record HostStatus(String origin, String breaker, int inFlight, Optional<Instant> lastSuccess,
    Optional<Instant> lastErrorAt, Optional<String> lastError) {}
